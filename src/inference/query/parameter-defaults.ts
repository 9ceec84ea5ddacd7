/**
 * A script's line giving a variable a default value reads as saying "default": `${1:-main}` is the
 * branch used when none is given, but it shares no word with "Which branch does deploy use by
 * default?", and `log "deploying to $ENVIRONMENT"` (deploy ~ deploying) ranked above
 * `BRANCH="${1:-main}"` (session 38 F5, session 39 item 4). BM25 reads such a line with the word
 * "default" beside its own.
 */

/** A shell parameter's default (`${X:-v}`, `${X:=v}`, `${X-v}`, `${X=v}`), its value not empty. */
const SHELL_DEFAULT = /\$\{(?:[A-Za-z_]\w*|\d+)(?::?[-=])[^}\s]/;

/** The line's text as BM25 indexes it: with "default" when it gives a variable a default value. */
export function withDefaultWord(body: string): string {
  return SHELL_DEFAULT.test(body) ? `${body} default` : body;
}
