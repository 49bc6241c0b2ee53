// Compiled ahead of time by test/frameworks/angular-compile.mjs (Angular 21's ngtsc and linker)
// and loaded by angular.test.ts: mounts examples/angular's component as an app would.
import { ApplicationRef, createComponent, provideZonelessChangeDetection } from '@angular/core';
import { createApplication } from '@angular/platform-browser';
import { LiveFeedComponent } from '../../examples/angular/live-feed.component';

export async function mount(container: HTMLElement, url: string, interval: number): Promise<() => void> {
  const app: ApplicationRef = await createApplication({ providers: [provideZonelessChangeDetection()] });
  const host = document.createElement('app-live-feed');
  container.append(host);
  const feed = createComponent(LiveFeedComponent, { environmentInjector: app.injector, hostElement: host });
  feed.setInput('url', url);
  feed.setInput('interval', interval);
  app.attachView(feed.hostView);
  feed.changeDetectorRef.detectChanges();
  return () => app.destroy();
}
