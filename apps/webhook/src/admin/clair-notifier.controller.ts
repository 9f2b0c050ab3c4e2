import {
  BadGatewayException,
  Body,
  Controller,
  HttpCode,
  Inject,
  Post,
  ServiceUnavailableException,
  UseGuards,
} from '@nestjs/common';
import { CircuitOpenError, ScannerError } from '@scangate/analyzers';
import { ClairNotificationDto } from './clair-notification.dto';
import { type ClairNotificationResult, ClairNotifications } from './clair-notifications.service';
import { ClairNotifierGuard } from './clair-notifier.guard';

/**
 * `POST /admin/v1/notifications/clair`: Clair's notifier webhook. Answers 200 only once the
 * notification has been handled and deleted; any other answer makes Clair deliver it again.
 */
@Controller('admin/v1/notifications')
@UseGuards(ClairNotifierGuard)
export class ClairNotifierController {
  constructor(@Inject(ClairNotifications) private readonly notifications: ClairNotifications) {}

  @Post('clair')
  @HttpCode(200)
  async notify(@Body() body: ClairNotificationDto): Promise<ClairNotificationResult> {
    try {
      return await this.notifications.deliver(body.notification_id);
    } catch (error) {
      if (error instanceof CircuitOpenError) throw new ServiceUnavailableException(error.message);
      if (error instanceof ScannerError) throw new BadGatewayException(error.message);
      throw error;
    }
  }
}
