import { type DragEvent, useRef, useState } from 'react';
import type { ApiResult } from '../../../src/contracts/api/index.ts';
import { bridge } from '../../bridge/index.ts';
import { fmt, useAction, useApi } from '../../hooks.ts';
import { hrefFor, navigate } from '../../router.ts';
import { useStudio } from '../../store/index.ts';
import { EmptyState } from '../EmptyState/EmptyState.tsx';
import { GenerateDialog } from '../GenerateDialog/GenerateDialog.tsx';

type Domain = 'nl' | 'chat' | 'code' | 'mixed';
type ImportSummary = {
  records?: number;
  inserted?: number;
  duplicates?: number;
  issueCount?: number;
  files?: { file: string; records: number; inserted: number; duplicates: number; issues: number }[];
  issues?: { file: string; line?: number; field?: string; message: string }[];
};

const PAGE = 100;

function ImportPanel() {
  const run = useAction();
  const [tags, setTags] = useState('');
  const [serverPath, setServerPath] = useState('');
  const [runId, setRunId] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);
  const [over, setOver] = useState(false);
  const live = useStudio((s) => (runId === null ? undefined : s.live[runId]));
  const files = useRef<HTMLInputElement>(null);
  const folder = useRef<HTMLInputElement>(null);
  const result = useApi('runs-get', runId === null ? null : { id: runId });

  const start = async (paths: string[]) => {
    if (!paths.length) return;
    const tagList = tags
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean);
    const r = await run(() => bridge.invoke('sources-import', { paths, tags: tagList }));
    if (r) setRunId(r.runId);
  };

  const upload = async (list: FileList | File[] | null) => {
    if (!list?.length) return;
    setBusy(true);
    try {
      const paths = await run(() => bridge.filePaths([...list]));
      if (paths) await start(paths);
    } finally {
      setBusy(false);
    }
  };

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    void upload(e.dataTransfer.files);
  };

  const summary = result.data?.summary as ImportSummary | undefined;
  const finished = result.data && result.data.status !== 'running';
  const pctDone = live?.total ? Math.min(100, (live.done / live.total) * 100) : finished ? 100 : 0;

  return (
    <section className="card">
      <h2>Import</h2>
      {/* biome-ignore lint/a11y/noStaticElementInteractions: a drop target; keyboard users have the buttons inside it */}
      <div
        className={`dropzone${over ? ' over' : ''}`}
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
      >
        <p>Drop files or a folder here: JSONL, CSV/TSV, JSON (LoCoMo), HumanEval, Markdown, text, code.</p>
        <div className="row">
          <button type="button" onClick={() => files.current?.click()} disabled={busy}>
            Add files…
          </button>
          <button type="button" onClick={() => folder.current?.click()} disabled={busy}>
            Add a folder…
          </button>
          <input
            ref={files}
            type="file"
            multiple
            hidden
            onChange={(e) => void upload(e.target.files)}
            data-testid="import-files"
          />
          <input
            ref={folder}
            type="file"
            hidden
            // @ts-expect-error: webkitdirectory is not in React's input attributes
            webkitdirectory=""
            onChange={(e) => void upload(e.target.files)}
          />
          <input
            className="grow"
            placeholder="tags, comma-separated (optional)"
            value={tags}
            onChange={(e) => setTags(e.target.value)}
            aria-label="Tags"
          />
        </div>
        <form
          className="row"
          onSubmit={(e) => {
            e.preventDefault();
            void start([serverPath.trim()]);
          }}
        >
          <input
            className="grow"
            placeholder="…or a path on the machine running the studio"
            value={serverPath}
            onChange={(e) => setServerPath(e.target.value)}
            aria-label="Path"
          />
          <button type="submit" disabled={!serverPath.trim()}>
            Import path
          </button>
        </form>
      </div>
      {runId !== null && (
        <div className="import-result" data-testid="import-result">
          <div
            className="progress"
            role="progressbar"
            aria-valuenow={Math.round(pctDone)}
            aria-valuemin={0}
            aria-valuemax={100}
          >
            <div style={{ width: `${pctDone}%` }} />
          </div>
          <p>
            {finished ? `Run ${runId} ${result.data?.status}` : `Importing… ${live?.label ?? ''}`}
            {finished &&
              summary &&
              ` · ${fmt(summary.records)} records: ${fmt(summary.inserted)} new, ${fmt(summary.duplicates)} already there, ${fmt(summary.issueCount)} rejected`}
          </p>
          {finished && summary?.files && summary.files.length > 0 && (
            <table className="table compact">
              <thead>
                <tr>
                  <th>file</th>
                  <th className="num">records</th>
                  <th className="num">new</th>
                  <th className="num">already there</th>
                  <th className="num">rejected</th>
                </tr>
              </thead>
              <tbody>
                {summary.files.slice(0, 50).map((f) => (
                  <tr key={f.file}>
                    <td className="path">{f.file.split('/').slice(-2).join('/')}</td>
                    <td className="num">{fmt(f.records)}</td>
                    <td className="num">{fmt(f.inserted)}</td>
                    <td className="num">{fmt(f.duplicates)}</td>
                    <td className={`num${f.issues ? ' bad' : ''}`}>{fmt(f.issues)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {finished && summary?.issues && summary.issues.length > 0 && (
            <ul className="issues" data-testid="import-issues">
              {summary.issues.map((i) => (
                <li key={`${i.file}:${i.line}:${i.field}:${i.message}`}>
                  <code>
                    {i.file.split('/').pop()}
                    {i.line !== undefined ? `:${i.line}` : ''}
                  </code>
                  {i.field ? ` (${i.field})` : ''} {i.message}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </section>
  );
}

type SourceRow = ApiResult<'sources-list'>['rows'][number];

/** A row of the Library: clicking it opens the source's page (text, metadata, QA, pairs). */
function SourceItem({ s }: { s: SourceRow }) {
  return (
    <tr onClick={() => navigate('source', { id: s.id })} className="clickable" data-testid={`source-row-${s.id}`}>
      <td className="num">{s.id}</td>
      <td>
        <span className={`tag d-${s.domain}`}>{s.domain}</span>
      </td>
      <td>{s.language ?? ''}</td>
      <td className="title-cell">
        <a href={hrefFor('source', { id: s.id })} onClick={(e) => e.stopPropagation()}>
          {s.title ?? s.originRef ?? s.preview.slice(0, 60)}
        </a>
      </td>
      <td className="num">{fmt(s.chars)}</td>
      <td>{s.tags.join(', ')}</td>
    </tr>
  );
}

export function Library() {
  const [domain, setDomain] = useState<Domain | ''>('');
  const [search, setSearch] = useState('');
  const [offset, setOffset] = useState(0);
  const list = useApi('sources-list', {
    limit: PAGE,
    offset,
    ...(domain ? { domain } : {}),
    ...(search ? { search } : {}),
  });
  const stats = useStudio((s) => s.info?.stats);
  const [generating, setGenerating] = useState(false);
  return (
    <section className="page">
      {generating && (
        <GenerateDialog
          onClose={() => setGenerating(false)}
          scope={{ kind: 'library', ...(domain ? { domain } : {}), ...(search ? { query: search } : {}) }}
        />
      )}
      <header className="page-head">
        <h1>Library</h1>
        {stats && (
          <p className="muted">
            {fmt(stats.sources)} sources
            {stats.byDomain.length > 0 && ' · '}
            {stats.byDomain
              .map(
                (d) =>
                  `${d.domain} ${fmt(d.sources)}${d.counted.o200k === d.sources ? ` (${fmt(d.tokens.o200k)} tokens)` : ''}`,
              )
              .join(' · ')}
          </p>
        )}
      </header>
      <ImportPanel />
      <section className="card">
        <div className="row">
          <h2 className="grow">Sources</h2>
          <select
            value={domain}
            onChange={(e) => {
              setDomain(e.target.value as Domain | '');
              setOffset(0);
            }}
            aria-label="Domain"
          >
            <option value="">all domains</option>
            <option value="nl">prose (nl)</option>
            <option value="chat">chat</option>
            <option value="code">code</option>
            <option value="mixed">mixed</option>
          </select>
          <input
            placeholder="search text or title"
            value={search}
            onChange={(e) => {
              setSearch(e.target.value);
              setOffset(0);
            }}
            aria-label="Search sources"
          />
          <button
            type="button"
            disabled={!list.data?.total}
            onClick={() => setGenerating(true)}
            title="generate compressions of the sources this list shows"
          >
            Generate for these {list.data ? fmt(list.data.total) : ''} sources…
          </button>
        </div>
        {list.data && list.data.total === 0 ? (
          <EmptyState title={stats?.sources ? 'No source matches' : 'No sources yet'}>
            {stats?.sources ? (
              <p>Clear the filters to see all {fmt(stats.sources)} sources.</p>
            ) : (
              <p>
                Import a corpus above, or from a terminal: <code>npx studio import data.jsonl</code>
              </p>
            )}
          </EmptyState>
        ) : (
          <>
            <table className="table">
              <thead>
                <tr>
                  <th className="num">id</th>
                  <th>domain</th>
                  <th>language</th>
                  <th>title</th>
                  <th className="num">chars</th>
                  <th>tags</th>
                </tr>
              </thead>
              <tbody>
                {list.data?.rows.map((s) => (
                  <SourceItem key={s.id} s={s} />
                ))}
              </tbody>
            </table>
            {list.data && (
              <div className="row pager">
                <span className="muted grow">
                  {fmt(offset + 1)}–{fmt(Math.min(offset + PAGE, list.data.total))} of {fmt(list.data.total)}
                </span>
                <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
                  ← Previous
                </button>
                <button
                  type="button"
                  disabled={offset + PAGE >= list.data.total}
                  onClick={() => setOffset(offset + PAGE)}
                >
                  Next →
                </button>
              </div>
            )}
          </>
        )}
      </section>
    </section>
  );
}
