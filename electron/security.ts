import { type BrowserWindow, type Session, shell } from 'electron';

/**
 * Locks a window down: no navigation away from the app, no new windows (web links open in the
 * system browser), no webviews, no permission prompts, no redirects off the app.
 */
export function lockDown(win: BrowserWindow, appUrlPrefix: string): void {
  const contents = win.webContents;
  contents.on('will-navigate', (event, url) => {
    if (!url.startsWith(appUrlPrefix)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!url.startsWith(appUrlPrefix)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (/^https?:\/\//.test(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
}

export function denyPermissions(session: Session): void {
  session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}
