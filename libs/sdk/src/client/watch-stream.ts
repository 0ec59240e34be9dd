import { ApiError } from '@logbook/machinery';
import type { Status } from '@logbook/machinery';
import { Observable } from 'rxjs';
import { HttpRequest, HttpTransport, TransportError } from './http-transport';
import { WatchEvent } from './types';

/**
 * Splits a byte stream into lines as chunks arrive. Lines may span chunks,
 * and a UTF-8 character may be split between two of them.
 */
export class LineSplitter {
  private readonly decoder = new TextDecoder('utf-8');
  private rest = '';

  push(chunk: Uint8Array): string[] {
    const text = this.rest + this.decoder.decode(chunk, { stream: true });
    const lines = text.split('\n');
    this.rest = lines.pop()!;
    return lines.filter((l) => l.trim() !== '');
  }

  /** What is left after the last newline, once the stream ends. */
  end(): string[] {
    const last = this.rest + this.decoder.decode();
    this.rest = '';
    return last.trim() === '' ? [] : [last];
  }
}

interface RawEvent {
  type?: string;
  object?: Record<string, unknown>;
}

/** Turns one decoded line into a typed event; ERROR lines become the ApiError they carry. */
export function decodeWatchLine<T>(line: string): WatchEvent<T> {
  let raw: RawEvent;
  try {
    raw = JSON.parse(line) as RawEvent;
  } catch {
    throw new TransportError(`watch: not a JSON event: ${line.slice(0, 200)}`);
  }
  switch (raw.type) {
    case 'ADDED':
    case 'MODIFIED':
    case 'DELETED':
      return { type: raw.type, object: raw.object as T };
    case 'BOOKMARK': {
      const meta = (raw.object?.metadata ?? {}) as { resourceVersion?: string };
      return { type: 'BOOKMARK', resourceVersion: meta.resourceVersion ?? '' };
    }
    case 'ERROR':
      throw ApiError.fromStatus(raw.object as unknown as Status);
    default:
      throw new TransportError(`watch: unknown event type ${JSON.stringify(raw.type)}`);
  }
}

/**
 * A watch request as an Observable: subscribing opens the stream,
 * unsubscribing aborts the HTTP request. It completes when the server ends
 * the stream (e.g. timeoutSeconds) and fails with an ApiError on an ERROR
 * event or a non-2xx answer, or with a TransportError when the connection
 * breaks.
 */
export function watchRequest<T>(transport: HttpTransport, req: Omit<HttpRequest, 'signal' | 'method'>): Observable<WatchEvent<T>> {
  return new Observable<WatchEvent<T>>((subscriber) => {
    const abort = new AbortController();
    const run = async () => {
      const res = await transport.send({ ...req, method: 'GET', signal: abort.signal }, { watch: true });
      const lines = new LineSplitter();
      for await (const chunk of res.body) {
        for (const line of lines.push(chunk as Buffer)) {
          if (subscriber.closed) return;
          subscriber.next(decodeWatchLine<T>(line));
        }
      }
      for (const line of lines.end()) {
        if (subscriber.closed) return;
        subscriber.next(decodeWatchLine<T>(line));
      }
      subscriber.complete();
    };
    run().catch((err: unknown) => {
      if (abort.signal.aborted || subscriber.closed) return;
      if (err instanceof ApiError || err instanceof TransportError) subscriber.error(err);
      else subscriber.error(new TransportError(`watch ${req.path}: ${(err as Error).message}`, { cause: err }));
    });
    return () => abort.abort();
  });
}
