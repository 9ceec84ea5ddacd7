import { type ReactNode, useEffect } from 'react';
import { useStudio } from '../../store/index.ts';
import { Review } from '../Review/Review.tsx';

/**
 * What a window may show depends on who it is (whoami): the owner sees every page; a labeler who
 * opened an invite link sees the Review page only, whatever the address says.
 */
export function RoleGate({ params, children }: { params: URLSearchParams; children: ReactNode }) {
  const role = useStudio((s) => s.role);
  const loadSession = useStudio((s) => s.loadSession);
  useEffect(() => {
    void loadSession();
  }, [loadSession]);
  if (role === null) return <p className="muted">Connecting…</p>;
  if (role === 'labeler') return <Review params={params} />;
  if (role === 'denied')
    return (
      <section className="page" data-testid="link-refused">
        <h1>This link does not work</h1>
        <p className="muted">
          The server refused its token: it was revoked or mistyped. Ask the project’s owner for a new link.
        </p>
      </section>
    );
  return <>{children}</>;
}
