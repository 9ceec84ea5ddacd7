import { useState } from 'react';
import type { ApiResult } from '../../../src/contracts/api/index.ts';
import { bridge } from '../../bridge/index.ts';
import { useAction, useApi } from '../../hooks.ts';

type Invite = ApiResult<'labelers-add'>;

/**
 * The owner invites labelers: each gets their own link (it holds a token the server stores only
 * hashed, so the link is shown once), which opens the Review page and can do nothing else.
 * Revoking stops the link at its next request; the labeler's labels stay.
 */
export function Labelers() {
  const act = useAction();
  const list = useApi('labelers-list', {});
  const [name, setName] = useState('');
  const [invite, setInvite] = useState<Invite | null>(null);
  const [copied, setCopied] = useState(false);

  const copy = async (url: string) => {
    try {
      await navigator.clipboard.writeText(url);
      setCopied(true);
    } catch {
      // no clipboard (a page over plain http on another machine): the field is selected instead
      document.querySelector<HTMLInputElement>('[data-testid="invite-url"]')?.select();
    }
  };

  return (
    <section className="card" data-testid="labelers">
      <h2>Labelers</h2>
      <p className="muted">
        Each labeler gets their own link: it opens the Review page and labels under their name, and cannot import,
        export, run jobs or change settings. Start <code>studio serve --host 0.0.0.0</code> so they can reach it.
      </p>
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          void act(async () => {
            const added = await bridge.invoke('labelers-add', { name: name.trim() });
            setInvite(added);
            setCopied(false);
            setName('');
            list.reload();
          });
        }}
      >
        <input aria-label="Labeler name" placeholder="name" value={name} onChange={(e) => setName(e.target.value)} />
        <button type="submit" disabled={!name.trim()}>
          Invite
        </button>
      </form>
      {invite && (
        <div className="row" data-testid="invite">
          <span>
            Link for <strong>{invite.name}</strong> (shown once):
          </span>
          <input
            className="grow"
            readOnly
            value={invite.url}
            data-testid="invite-url"
            aria-label={`Invite link for ${invite.name}`}
            onFocus={(e) => e.target.select()}
          />
          <button type="button" onClick={() => void copy(invite.url)}>
            {copied ? 'Copied' : 'Copy link'}
          </button>
        </div>
      )}
      {list.data && list.data.length > 0 && (
        <table className="table compact" data-testid="labelers-table">
          <thead>
            <tr>
              <th>labeler</th>
              <th>invited</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list.data.map((l) => (
              <tr key={l.name}>
                <td>{l.name}</td>
                <td className="muted">{new Date(l.createdAt).toLocaleString()}</td>
                <td>
                  <button
                    type="button"
                    className="link"
                    onClick={() =>
                      void act(async () => {
                        await bridge.invoke('labelers-revoke', { name: l.name });
                        if (invite?.name === l.name) setInvite(null);
                        list.reload();
                      }, `${l.name}'s link no longer works`)
                    }
                  >
                    revoke
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
