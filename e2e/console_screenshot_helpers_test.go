package e2e

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// screenshotDir is where the console's screenshots are written: the
// directory AESO_SCREENSHOTS names (relative to the repository root). The
// screenshot tests run only when it is set.
func screenshotDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("AESO_SCREENSHOTS")
	if dir == "" {
		t.Skip("set AESO_SCREENSHOTS=docs/console to regenerate the console's screenshots")
	}
	if !filepath.IsAbs(dir) {
		dir = filepath.Join("..", dir)
	}
	return dir
}

// screenshot writes what tb shows, at width×height in the light or dark
// scheme, to dir/name.png.
func screenshot(t *testing.T, tb *tab, dir, name string, width, height int64, dark bool, opts ...chromedp.EmulateViewportOption) {
	t.Helper()
	scheme := "light"
	if dark {
		scheme = "dark"
	}
	tb.run("set the viewport", chromedp.EmulateViewport(width, height, opts...),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
				Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}})
			return err
		}))
	data, err := chromedp.Run(tb.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("%s.png: %d KB", name, len(data)/1024)
}
