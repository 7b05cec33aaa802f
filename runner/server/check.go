package server

import (
	"time"

	"github.com/gowsgi/gowsgi/runner/config"
	"github.com/gowsgi/gowsgi/runner/engine"
	"github.com/gowsgi/gowsgi/runner/logging"
)

// Check starts every app's workers as Run does at start, then stops
// them, without listening (gowsgi check). An app that does not import is an
// error wrapping ErrImport, its traceback logged as Run logs it.
func Check(site *config.Site, eng engine.Engine, lg *logging.Logger) error {
	for _, w := range site.Warnings {
		lg.Warnf("%s", w)
	}
	s := *site
	s.Reload.Enabled = false // no warm spares: nothing will reload
	apps, err := startApps(&s, eng, lg, nil)
	if err != nil {
		return err
	}
	apps.close(time.Second) // an ASGI app's lifespan shutdown runs too
	apps.stopReloads()
	return nil
}
