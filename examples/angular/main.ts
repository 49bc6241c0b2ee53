// Entry of an Angular app: bootstrap a root component that uses the feed.
import { Component } from '@angular/core';
import { bootstrapApplication } from '@angular/platform-browser';
import { LiveFeedComponent } from './live-feed.component';

@Component({
  selector: 'app-root',
  standalone: true,
  imports: [LiveFeedComponent],
  template: `<app-live-feed url="wss://example.com/socket" />`,
})
class AppComponent {}

bootstrapApplication(AppComponent).catch(reportError);
