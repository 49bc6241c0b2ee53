// Angular (standalone components, signals; Angular 17 or later): <heartbeat-socket> in a
// component. CUSTOM_ELEMENTS_SCHEMA lets the template use the tag and bind its properties;
// `[interval]` sets the property (a number), `(status-change)` listens for the element's event.
//
// Compiled ahead of time by Angular 21's compiler (strict templates) and run by `npm test`
// (test/frameworks/angular-compile.mjs). Angular 20 and 21 run on Node 20.19+.
import { CUSTOM_ELEMENTS_SCHEMA, Component, ElementRef, input, signal, viewChild } from '@angular/core';
import 'heartbeat-socket'; // defines <heartbeat-socket> (once, however often it is imported)
import type { ConnectionStatus, HeartbeatSocketElement, HeartbeatEventMap } from 'heartbeat-socket';

@Component({
  selector: 'app-live-feed',
  standalone: true,
  schemas: [CUSTOM_ELEMENTS_SCHEMA],
  template: `
    <heartbeat-socket
      #socket
      [url]="url()"
      [interval]="interval()"
      [timeout]="5000"
      (status-change)="onStatusChange($event)"
      (heartbeat)="onHeartbeat($event)"
      (message)="onMessage($event)"
    >
      <p class="status" [attr.data-status]="status()">
        {{ status() }}
        @if (latency() !== undefined) {
          · {{ latency() }} ms
        }
      </p>
      <ul class="messages">
        @for (message of messages(); track $index) {
          <li>{{ message }}</li>
        }
      </ul>
      <form (submit)="send($event, text)">
        <input #text name="text" aria-label="message" />
        <button type="submit">Send</button>
      </form>
    </heartbeat-socket>
  `,
})
export class LiveFeedComponent {
  readonly url = input.required<string>();
  readonly interval = input(25_000);

  readonly status = signal<ConnectionStatus>('idle');
  readonly latency = signal<number | undefined>(undefined);
  readonly messages = signal<string[]>([]);

  private readonly socket = viewChild.required<ElementRef<HeartbeatSocketElement>>('socket');

  // Angular types `$event` of an element it does not know as a plain Event: narrow it here.
  onStatusChange(event: Event): void {
    this.status.set((event as HeartbeatEventMap['status-change']).detail.status);
  }

  onHeartbeat(event: Event): void {
    this.latency.set((event as HeartbeatEventMap['heartbeat']).detail.latency);
  }

  onMessage(event: Event): void {
    const { data } = (event as HeartbeatEventMap['message']).detail;
    this.messages.update((list) => [...list.slice(-19), String(data)]);
  }

  send(event: Event, field: HTMLInputElement): void {
    event.preventDefault();
    if (field.value && this.socket().nativeElement.send(field.value)) field.value = '';
  }
}
