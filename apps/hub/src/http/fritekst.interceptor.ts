import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Fritekst } from '@hub/privacy';
import { mergeMap, type Observable } from 'rxjs';

/**
 * Opens the encrypted free text in every JSON answer, as the last step before it is sent (design.md §3): the write
 * side, the read models and the caches hold only ciphertext, and an erased borger's texts read `[slettet]`. One vault
 * lookup per answer. Handlers that write the response themselves (command answers, exports, the ops stream) carry no
 * free text.
 */
@Injectable()
export class FritekstInterceptor implements NestInterceptor {
  constructor(private readonly fritekst: Fritekst) {}

  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(mergeMap((body: unknown) => this.fritekst.afsloer(body)));
  }
}
