/** Sets the value at an API-server-style path (`spec.template.spec.containers[1].image`). */
export function setAtPath(root: unknown, path: string, value: unknown): void {
  const steps = path.split('.').flatMap((part) => {
    const match = /^([^[\]]+)((?:\[\d+\])*)$/.exec(part);
    if (!match) throw new Error(`bad path step ${part} in ${path}`);
    const indexes = [...(match[2] ?? '').matchAll(/\[(\d+)\]/g)].map((m) => Number(m[1]));
    return [match[1] as string, ...indexes];
  });
  let node = root as Record<string | number, unknown>;
  for (const step of steps.slice(0, -1)) node = node[step] as Record<string | number, unknown>;
  node[steps[steps.length - 1] as string | number] = value;
}
