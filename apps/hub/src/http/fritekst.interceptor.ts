import { Injectable, SetMetadata, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Fritekst } from '@hub/privacy';
import { mergeMap, type Observable } from 'rxjs';

const AABNET = 'ffb-hub:fritekst-aabnet';

/**
 * Marks a route whose handler opens the free text itself (it joins texts into new ones, so it must open them first):
 * the interceptor leaves its answer alone. Opening twice would open text a person wrote that looks like ciphertext.
 */
export const FritekstAabnet = () => SetMetadata(AABNET, true);

/**
 * Opens the encrypted free text in every JSON answer, as the last step before it is sent (design.md §3): the write
 * side, the read models and the caches hold only ciphertext, and an erased borger's texts read `[slettet]`. One vault
 * lookup per answer. Handlers that write the response themselves (command answers, exports, the ops stream) carry no
 * free text.
 */
@Injectable()
export class FritekstInterceptor implements NestInterceptor {
  constructor(
    private readonly fritekst: Fritekst,
    private readonly reflector: Reflector,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (this.reflector.get<boolean>(AABNET, context.getHandler())) return next.handle();
    return next.handle().pipe(mergeMap((body: unknown) => this.fritekst.afsloer(body)));
  }
}
