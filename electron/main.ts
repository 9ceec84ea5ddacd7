import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, Menu, session } from 'electron';
import { createAppContext } from '../src/app-context.ts';
import { rendererDist } from '../src/bridge/renderer-build.ts';
import { openProject } from '../src/project.ts';
import { registerApi } from './ipc.ts';
import { createKeyStore } from './keys.ts';
import { denyPermissions, lockDown } from './security.ts';

// The project: $STUDIO_PROJECT, else the last one opened, else ask.
async function chooseProject(): Promise<string | undefined> {
  if (process.env.STUDIO_PROJECT) return process.env.STUDIO_PROJECT;
  const picked = await dialog.showOpenDialog({
    title: 'Open or create a Compression Studio project folder',
    properties: ['openDirectory', 'createDirectory'],
  });
  return picked.canceled ? undefined : picked.filePaths[0];
}

async function start(): Promise<void> {
  denyPermissions(session.defaultSession);
  const dir = await chooseProject();
  if (!dir) {
    app.quit();
    return;
  }
  const keys = createKeyStore(app.getPath('userData'));
  const project = openProject({ dir, create: true });
  const { ctx, close } = createAppContext(project, { keys });

  const win = new BrowserWindow({
    width: 1400,
    height: 900,
    title: `Compression Studio: ${dir}`,
    webPreferences: {
      preload: join(__dirname, 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    },
  });
  const index = join(rendererDist(), 'index.html');
  lockDown(win, pathToFileURL(rendererDist()).href);
  const unregister = registerApi(ipcMain, win.webContents, ctx);
  Menu.setApplicationMenu(
    Menu.buildFromTemplate([
      { role: 'appMenu' },
      { role: 'editMenu' },
      { label: 'View', submenu: [{ role: 'reload' }, { role: 'toggleDevTools' }, { role: 'togglefullscreen' }] },
      { role: 'windowMenu' },
    ]),
  );
  win.on('closed', () => {
    unregister();
    void close().then(() => project.close());
  });
  await win.loadFile(index);
}

app.whenReady().then(start, (error: unknown) => {
  dialog.showErrorBox('Compression Studio could not start', String(error));
  app.quit();
});
app.on('window-all-closed', () => app.quit());
