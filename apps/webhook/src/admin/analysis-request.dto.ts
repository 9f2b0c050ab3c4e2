import { IsString, Length } from 'class-validator';

/** `POST /admin/v1/analyses`: the image to analyse afresh. */
export class AnalysisRequestDto {
  @IsString()
  @Length(1, 4096)
  image!: string;
}
