export function Placeholder({ title, missing, meanwhile }: { title: string; missing: string; meanwhile: string }) {
  return (
    <section className="page">
      <header className="page-head">
        <h1>{title}</h1>
      </header>
      <div className="empty">
        <h3>Not built yet</h3>
        <p>{missing}</p>
        <p className="muted">{meanwhile}</p>
      </div>
    </section>
  );
}
