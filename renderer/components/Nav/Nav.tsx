import { hrefFor, type Page } from '../../router.ts';
import { useStudio } from '../../store/index.ts';

const ITEMS: { page: Page; label: string; key: string }[] = [
  { page: 'library', label: 'Library', key: '1' },
  { page: 'pairs', label: 'Pairs', key: '2' },
  { page: 'review', label: 'Review', key: '3' },
  { page: 'runs', label: 'Runs', key: '4' },
  { page: 'train', label: 'Train', key: '5' },
  { page: 'models', label: 'Models', key: '6' },
  { page: 'settings', label: 'Settings', key: '7' },
];

export function Nav({ page: shown }: { page: Page }) {
  const theme = useStudio((s) => s.theme);
  const setTheme = useStudio((s) => s.setTheme);
  const toggleHelp = useStudio((s) => s.toggleHelp);
  const sources = useStudio((s) => s.info?.stats.sources);
  const pairs = useStudio((s) => s.info?.stats.pairs);
  const running = useStudio((s) => Object.keys(s.live).length);
  const dir = useStudio((s) => s.info?.dir);
  // A labeler's invite opens the Review page only; the other pages are the owner's.
  const role = useStudio((s) => s.role);
  const labeler = useStudio((s) => s.labeler);
  const items = role === 'labeler' ? ITEMS.filter((i) => i.page === 'review') : role === 'denied' ? [] : ITEMS;
  const page = role === 'labeler' ? 'review' : shown;
  return (
    <nav className="nav" aria-label="Pages">
      <div className="brand">
        <span className="logo" aria-hidden="true">
          ◧
        </span>{' '}
        Compression Studio
      </div>
      {dir && (
        <div className="project" title={dir}>
          {dir.split('/').pop()}
        </div>
      )}
      <ul>
        {items.map((item) => (
          <li key={item.page}>
            <a
              href={hrefFor(item.page)}
              className={page === item.page ? 'active' : ''}
              aria-current={page === item.page ? 'page' : undefined}
            >
              {item.label}
              {item.page === 'library' && sources !== undefined && (
                <span className="count">{sources.toLocaleString('en-US')}</span>
              )}
              {item.page === 'pairs' && pairs !== undefined && (
                <span className="count">{pairs.toLocaleString('en-US')}</span>
              )}
              {item.page === 'runs' && running > 0 && <span className="count live">{running}</span>}
            </a>
          </li>
        ))}
      </ul>
      {role === 'labeler' && (
        <div className="project" data-testid="nav-labeler">
          Labeling as {labeler}
        </div>
      )}
      <div className="nav-foot">
        <button type="button" onClick={() => setTheme(theme === 'dark' ? 'light' : 'dark')} title="Switch theme">
          {theme === 'dark' ? '☀ Light' : '☾ Dark'}
        </button>
        <button type="button" onClick={() => toggleHelp(true)} title="Keyboard shortcuts">
          ? Keys
        </button>
      </div>
    </nav>
  );
}
