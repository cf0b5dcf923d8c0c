package main_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/xinyong/xinyong/internal/store/postgres/pgtest"
)

// TestAnnounce publishes and lists announcements on the embedded database
// and, when a test server is configured, on PostgreSQL.
func TestAnnounce(t *testing.T) {
	t.Run("SQLite", func(t *testing.T) {
		announce(t, "--data", filepath.Join(t.TempDir(), "data"))
	})
	t.Run("PostgreSQL", func(t *testing.T) {
		url := pgtest.Database(t)
		data := filepath.Join(t.TempDir(), "data")
		if out, stderr, code := xinyong(t, "migrate", "--data", data, "--db", url); code != 0 {
			t.Fatalf("migrate: exit %d: %s%s", code, out, stderr)
		}
		announce(t, "--data", data, "--db", url)
	})
}

func announce(t *testing.T, dataFlags ...string) {
	with := func(args ...string) []string { return append(append([]string{"announce"}, args...), dataFlags...) }
	run := func(args ...string) string {
		t.Helper()
		out, stderr, code := xinyong(t, with(args...)...)
		if code != 0 {
			t.Fatalf("announce %v: exit %d\n%s%s", args, code, out, stderr)
		}
		return out
	}
	if out := run("--title-zh", "平台上线公告", "--body-zh", "平台今日上线。\n\n欢迎使用。", "--title-en", "The platform is live",
		"--body-en", "The platform is live today.\n\nWelcome."); !strings.Contains(out, "published announcement 1") {
		t.Errorf("first announcement: %s", out)
	}
	if out := run("--title-zh", "信用修复指南", "--body-zh", "最短公示期满后可申请信用修复。"); !strings.Contains(out, "published announcement 2") {
		t.Errorf("second announcement: %s", out)
	}
	list := regexp.MustCompile(`^2\t\d{4}-\d{2}-\d{2}\t信用修复指南\n1\t\d{4}-\d{2}-\d{2}\t平台上线公告 / The platform is live\n$`)
	if out := run("--list"); !list.MatchString(out) {
		t.Errorf("announce --list printed %q", out)
	}
	if out := run("--list", "--limit", "1"); !strings.HasPrefix(out, "2\t") || strings.Count(out, "\n") != 1 {
		t.Errorf("announce --list --limit 1 printed %q", out)
	}

	tests := []struct {
		name string
		args []string
		want []string // in the error, Chinese and English
	}{
		{"ErrNoTitle", []string{"--body-zh", "正文"}, []string{"--title-zh", "中文标题不能为空", "the Chinese title is required"}},
		{"ErrNoBody", []string{"--title-zh", "标题"}, []string{"--body-zh", "中文正文不能为空", "the Chinese text is required"}},
		{"ErrTooLong", []string{"--title-zh", strings.Repeat("长", 201), "--body-zh", "正文"}, []string{"最多 200 个字符", "at most 200 characters, got 201"}},
		{"ErrNotUTF8", []string{"--title-zh", "标题", "--body-zh", "正文", "--body-en", "caf\xe9"}, []string{"--body-en", "UTF-8"}},
		{"ErrListWithTitle", []string{"--list", "--title-zh", "标题"}, []string{"--list", "--title-zh"}},
		{"ErrLimit", []string{"--list", "--limit", "0"}, []string{"--limit"}},
		{"ErrArgument", []string{"--body-zh", "正文", "标题"}, []string{"unexpected argument", "多余的参数"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, stderr, code := xinyong(t, with(tt.args...)...)
			if code == 0 || !strings.Contains(stderr, "错误") || !strings.Contains(stderr, "error:") {
				t.Fatalf("exit %d, stderr %q; want a bilingual error", code, stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr %q lacks %q", stderr, w)
				}
			}
		})
	}
	if out := run("--list"); strings.Count(out, "\n") != 2 {
		t.Errorf("after the refusals, announce --list printed %q", out)
	}
	if out, _, code := xinyong(t, append([]string{"audit", "verify"}, dataFlags...)...); code != 0 || !strings.Contains(out, "intact: 2 entries") {
		t.Errorf("audit verify: exit %d: %s", code, out)
	}
}

// TestAnnounceRefusedCreatesNothing: an announcement refused for its
// content opens no database.
func TestAnnounceRefusedCreatesNothing(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	if _, _, code := xinyong(t, "announce", "--data", data, "--body-zh", "正文"); code == 0 {
		t.Fatal("an announcement without a title was published")
	}
	if _, err := os.Stat(data); !os.IsNotExist(err) {
		t.Errorf("a refused announcement created %s (%v)", data, err)
	}
}

// TestDemoAnnouncements: demo data comes with the credit center's three
// announcements, once.
func TestDemoAnnouncements(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	for i := 0; i < 2; i++ {
		if out, stderr, code := xinyong(t, "demo", "--data", data, "--subjects", "5"); code != 0 {
			t.Fatalf("demo: exit %d: %s%s", code, out, stderr)
		}
	}
	out, stderr, code := xinyong(t, "announce", "--list", "--data", data)
	if code != 0 || strings.Count(out, "\n") != 3 {
		t.Fatalf("announce --list after demo twice: exit %d: %s%s", code, out, stderr)
	}
	for _, want := range []string{"上线运行", "信用修复", "双公示", "7 working days"} {
		if !strings.Contains(out, want) {
			t.Errorf("demo announcements lack %q:\n%s", want, out)
		}
	}
}
