import { IsOptional, IsString, Length } from 'class-validator';

/** Clair's webhook body (`application/vnd.clair.notification_webhook.v1+json`). */
export class ClairNotificationDto {
  @IsString()
  @Length(1, 200)
  notification_id!: string;

  /** Clair's URL for the notification; never followed (the pages are read from analyzer.clair.url). */
  @IsOptional()
  @IsString()
  @Length(0, 4096)
  callback?: string;
}
