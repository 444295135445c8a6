import './styles.css';
import 'uplot/dist/uPlot.min.css';

import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';

import { App } from './app/App';
import { SessionProvider } from './auth/session';
import { loadConfig } from './config';

const root = createRoot(document.getElementById('root') as HTMLElement);

loadConfig().then(
  (config) =>
    root.render(
      <StrictMode>
        <SessionProvider config={config}>
          <App />
        </SessionProvider>
      </StrictMode>,
    ),
  (error: Error) =>
    root.render(
      <main className="centered">
        <p role="alert">The console cannot start: {error.message}</p>
      </main>,
    ),
);
