package bot

import (
	"context"
	"path/filepath"
	"time"

	"github.com/fsnotify/fsnotify"
)

// WatchSkills reloads the skills files whenever one changes, until ctx
// ends. Editors often replace a file rather than write it, so the folders
// are watched, and a burst of events costs one reload. A broken file is
// logged with its line and the previous skills keep working.
func (b *Bot) WatchSkills(ctx context.Context) error {
	if len(b.Config.SkillsFiles) == 0 {
		<-ctx.Done() // nothing to watch; run like the other parts
		return nil
	}
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return err
	}
	defer w.Close()
	watched := map[string]bool{}
	files := map[string]bool{}
	for _, f := range b.Config.SkillsFiles {
		abs, err := filepath.Abs(f)
		if err != nil {
			return err
		}
		files[abs] = true
		dir := filepath.Dir(abs)
		if !watched[dir] {
			if err := w.Add(dir); err != nil {
				return err
			}
			watched[dir] = true
		}
	}
	var settle <-chan time.Time
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-w.Events:
			if !ok {
				return nil
			}
			if abs, _ := filepath.Abs(ev.Name); files[abs] {
				settle = time.After(200 * time.Millisecond)
			}
		case err, ok := <-w.Errors:
			if !ok {
				return nil
			}
			b.logger.WarnContext(ctx, "watching skills files", "err", err)
		case <-settle:
			settle = nil
			if err := b.ReloadSkills(ctx); err != nil {
				b.logger.ErrorContext(ctx, "skills file rejected; the previous skills stay in service", "err", err)
			}
		}
	}
}
