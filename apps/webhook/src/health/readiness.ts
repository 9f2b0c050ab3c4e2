/** Something `/readyz` must see healthy (Redis, once configured). A scanner outage is never one. */
export interface ReadinessCheck {
  readonly name: string;
  isReady(): Promise<boolean>;
}
