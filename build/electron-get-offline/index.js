// Electron's postinstall downloads its runtime from GitHub. Where GitHub cannot be reached (many
// corporate and CI machines reach the npm registry only), that failure would fail the whole
// `npm ci`, although nothing but the desktop window needs the runtime: the types, the tests and
// the browser mode do not. This wrapper (wired in through package.json "overrides") turns a failed
// download *during npm's install* into a warning; `studio start` runs the same install script
// later, when a display exists, and falls back to the browser with a clear message if it fails.
// Outside npm's install every call goes to the real @electron/get unchanged.

const upstream = require('electron-get-upstream');

async function downloadArtifact(options) {
  try {
    return await upstream.downloadArtifact(options);
  } catch (error) {
    if (process.env.npm_lifecycle_event !== 'postinstall') throw error;
    const reason = error?.message ? error.message : String(error);
    process.stderr.write(
      `compression-studio: Electron's runtime was not downloaded (${reason}).\n` +
        'The install goes on: `npm start` fetches the runtime the first time a display exists, and opens the app in a browser where it cannot.\n',
    );
    process.exit(0);
  }
}

module.exports = { ...upstream, downloadArtifact };
