// Package eval measures how well an NLU model understands labelled
// examples: intent accuracy and macro-F1, per-intent scores, the
// confusions, out-of-scope handling, entity scores (exact and partial
// spans) and the time one Parse takes. It scores one model on held-out
// data (Score) or cross-validates a training function (CrossValidate), and
// writes the Report as JSON, as a text summary or as a self-contained HTML
// page.
//
// It reads models only through the Parser interface and imports nothing
// of the bot beyond nlu: no dialog, skills, store, config or training
// package.
package eval
