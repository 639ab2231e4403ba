// The part of vocabulary.json that the tokenizer reads. The Rust test
// `vocabulary_is_current` (repl/src/vocabulary.rs) writes that file from the
// language's own tables; the bundler inlines it at build time.
declare module '*/vocabulary.json' {
  const vocabulary: {
    builtins: string[];
    commands: string[];
    comment: string;
    constants: string[];
    keywords: string[];
    operators: string[];
    string_escapes: string[];
  };
  export default vocabulary;
}
