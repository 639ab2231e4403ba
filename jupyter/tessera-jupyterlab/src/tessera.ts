/**
 * A CodeMirror 6 stream tokenizer for Tessera, the twin of the Pygments lexer
 * (jupyter/tessera-pygments/tessera_pygments/lexer.py) and read from the same
 * vocabulary.json: `#` comments, double-quoted strings with escapes (they may
 * span lines), numbers such as `1`, `1.5`, `.5`, `2e-3` (a `.` followed by
 * `*`, `/`, `^` or `'` is an operator: `1.*x`), and the longest operator at
 * each point. A cell that starts with `:` is a session command; `%%rust` and
 * `:rust` cells hold Rust, tokenized by CodeMirror's legacy Rust mode.
 *
 * Tokens are named as StreamLanguage reads them, a @lezer/highlight tag with
 * modifiers or a legacy name, for Pygments' classes: keyword (Keyword), bool
 * (Keyword.Constant), atom (Name.Constant), builtin (Name.Builtin), def
 * (Name.Function), variable (Name), number, string, string.special
 * (String.Escape), comment, operator, punctuation, meta (Keyword.Pseudo: a
 * command) and error.
 */
import { StreamParser, StringStream } from '@codemirror/language';
import { rust } from '@codemirror/legacy-modes/mode/rust';

import vocabulary from '../../tessera-pygments/tessera_pygments/vocabulary.json';

const PUNCTUATION = new Set(['(', ')', '[', ']', '{', '}', ',', ';']);
const CONSTANT_KEYWORDS = new Set(['true', 'false']);
const KEYWORDS = new Set(vocabulary.keywords);
const CONSTANTS = new Set(vocabulary.constants);
const BUILTINS = new Set(vocabulary.builtins);
const COMMANDS = new Set(vocabulary.commands);

// Identifiers as the Rust lexer reads them: char::is_alphabetic or `_`, then
// char::is_alphanumeric or `_`.
const IDENT = /^[\p{Alphabetic}_][\p{Alphabetic}\p{N}_]*/u;
const NUMBER = /^(?:\d+(?:\.(?![*/^'])\d*)?|\.\d+)(?:[eE][+-]?\d+)?/;
const COMMAND = /^:([\p{Alphabetic}_][\p{Alphabetic}\p{N}_]*)/u;
const RUST_CELL = /^(?:%%rust|:rust)/;

/** A regex matching any of `texts` at the stream's position, the longest first. */
function alternation(texts: string[]): RegExp {
  const escaped = [...texts]
    .sort((a, b) => b.length - a.length)
    .map(t => t.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&'));
  return new RegExp(`^(?:${escaped.join('|')})`);
}

const OPERATOR = alternation(vocabulary.operators.filter(o => !PUNCTUATION.has(o)));
const ESCAPE = alternation(vocabulary.string_escapes);

interface State {
  /** `start` until the cell's first token, which may make it a command or a Rust cell. */
  mode: 'start' | 'code' | 'string' | 'command' | 'rust';
  /** The next identifier names a function: `fn name(...)`. */
  fnName: boolean;
  /** The Rust mode's own state (used in a Rust cell). */
  rust: unknown;
}

function stringToken(stream: StringStream, state: State): string {
  if (stream.eat('"')) {
    state.mode = 'code';
    return 'string';
  }
  if (stream.match(ESCAPE)) {
    return 'string.special';
  }
  if (stream.eat('\\')) {
    stream.next(); // an unknown escape
    return 'error';
  }
  stream.match(/^[^"\\]+/);
  return 'string';
}

/** A session command (`:load file`) at the start of a cell, or null. */
function commandToken(stream: StringStream, state: State): string | null {
  const m = stream.match(COMMAND, false) as RegExpMatchArray | null;
  if (!m || !COMMANDS.has(m[1])) {
    return null;
  }
  stream.match(COMMAND);
  // `:time CODE` times code; the others take the rest of the line as a word.
  if (m[1] !== 'time' && !stream.eol()) {
    state.mode = 'command';
  }
  return 'meta';
}

function wordToken(word: string, stream: StringStream, state: State): string {
  if (word === 'fn' && stream.match(/^\s+(?=[\p{Alphabetic}_])/u, false)) {
    state.fnName = true;
  }
  if (CONSTANT_KEYWORDS.has(word)) {
    return 'bool';
  }
  if (KEYWORDS.has(word)) {
    return 'keyword';
  }
  if (CONSTANTS.has(word)) {
    return 'atom';
  }
  return BUILTINS.has(word) ? 'builtin' : 'variable';
}

export const tessera: StreamParser<State> = {
  name: 'tessera',

  startState: indentUnit => ({ mode: 'start', fnName: false, rust: rust.startState!(indentUnit) }),

  // The default copy is shallow; the Rust mode's state must be copied too.
  copyState: state => ({ ...state, rust: rust.copyState!(state.rust) }),

  token(stream, state) {
    switch (state.mode) {
      case 'rust':
        return rust.token(stream, state.rust);
      case 'string':
        return stringToken(stream, state);
      case 'command':
        stream.skipToEnd();
        state.mode = 'code';
        return 'string';
    }
    if (stream.eatSpace()) {
      return null;
    }
    if (state.mode === 'start') {
      state.mode = 'code';
      if (stream.match(RUST_CELL)) {
        state.mode = 'rust';
        return 'meta';
      }
      const command = commandToken(stream, state);
      if (command) {
        return command;
      }
    }
    const fnName = state.fnName;
    state.fnName = false;
    if (stream.peek() === '#') {
      stream.skipToEnd();
      return 'comment';
    }
    if (stream.eat('"')) {
      state.mode = 'string';
      return 'string';
    }
    if (stream.match(NUMBER)) {
      return 'number';
    }
    // `StringStream.match` types its result loosely: a RegExp gives a match or null.
    const word = stream.match(IDENT) as RegExpMatchArray | null;
    if (word) {
      return fnName ? 'def' : wordToken(word[0], stream, state);
    }
    if (stream.match(OPERATOR)) {
      return 'operator';
    }
    const ch = stream.next()!;
    return PUNCTUATION.has(ch) ? 'punctuation' : 'error';
  },

  indent: (state, textAfter, context) =>
    state.mode === 'rust' && rust.indent ? rust.indent(state.rust, textAfter, context) : null,

  languageData: { commentTokens: { line: vocabulary.comment } }
};
