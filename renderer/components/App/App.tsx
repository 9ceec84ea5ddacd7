import { useEffect } from 'react';
import { bridge } from '../../bridge/index.ts';
import { useRoute } from '../../router.ts';
import { useStudio } from '../../store/index.ts';
import { Help } from '../Help/Help.tsx';
import { Library } from '../Library/Library.tsx';
import { Models } from '../Models/Models.tsx';
import { Nav } from '../Nav/Nav.tsx';
import { Pairs } from '../Pairs/Pairs.tsx';
import { Review } from '../Review/Review.tsx';
import { Runs } from '../Runs/Runs.tsx';
import { Settings } from '../Settings/Settings.tsx';
import { SourcePage } from '../Source/Source.tsx';
import { Toasts } from '../Toasts/Toasts.tsx';
import { Train } from '../Train/Train.tsx';
import { RoleGate } from './RoleGate.tsx';

export function App() {
  const route = useRoute();
  const theme = useStudio((s) => s.theme);
  const applyEvent = useStudio((s) => s.applyEvent);
  const loadProject = useStudio((s) => s.loadProject);
  const loadRuns = useStudio((s) => s.loadRuns);
  const toggleHelp = useStudio((s) => s.toggleHelp);
  const toast = useStudio((s) => s.toast);

  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);

  useEffect(() => {
    loadProject().catch((e: Error) => toast('error', `Cannot reach the studio: ${e.message}`));
    loadRuns().catch(() => undefined);
    return bridge.subscribe(applyEvent);
  }, [applyEvent, loadProject, loadRuns, toast]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement | null;
      if (target && (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA' || target.isContentEditable)) return;
      if (e.key === '?') {
        e.preventDefault();
        toggleHelp();
      } else if (e.key === 'Escape') toggleHelp(false);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [toggleHelp]);

  return (
    <div className="shell">
      <Nav page={route.page} />
      <main className="main">
        <RoleGate params={route.params}>
          {route.page === 'library' && <Library />}
          {route.page === 'pairs' && <Pairs params={route.params} />}
          {route.page === 'review' && <Review params={route.params} />}
          {route.page === 'runs' && <Runs />}
          {route.page === 'train' && <Train />}
          {route.page === 'models' && <Models />}
          {route.page === 'settings' && <Settings />}
          {route.page === 'source' && <SourcePage params={route.params} />}
        </RoleGate>
      </main>
      <Help />
      <Toasts />
    </div>
  );
}
