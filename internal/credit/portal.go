package credit

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// Announcement is a notice the credit center publishes on the portal's
// home page, in Chinese and, where given, English.
type Announcement struct {
	ID          int64
	TitleZH     string
	TitleEN     string // "" when there is no English version
	BodyZH      string // plain text; paragraphs separated by blank lines
	BodyEN      string
	PublishedAt time.Time
	// Author is who published it: a staff account, or "cli" for the command.
	Author string
}

// Validate checks a before it is stored: a Chinese title and body, and
// lengths a page can show.
func (a *Announcement) Validate() error {
	var fields []FieldError
	check := func(field, value string, required bool, max int, zh, en string) {
		n := utf8.RuneCountInString(strings.TrimSpace(value))
		switch {
		// zh and en are the field's names in each language (no verbs).
		case !utf8.ValidString(value):
			fields = append(fields, FieldError{Field: field, Code: "encoding", MessageZH: zh + "不是有效的 UTF-8 文本", MessageEN: en + " is not valid UTF-8 text"})
		case required && n == 0:
			fields = append(fields, FieldError{Field: field, Code: "required", MessageZH: zh + "不能为空", MessageEN: en + " is required"})
		case n > max:
			fields = append(fields, FieldErrorf(field, "too_long", zh+"最多 %d 个字符，实为 %d 个", en+" may have at most %d characters, got %d", max, n))
		}
	}
	check("title_zh", a.TitleZH, true, 200, "中文标题", "the Chinese title")
	check("title_en", a.TitleEN, false, 400, "英文标题", "the English title")
	check("body_zh", a.BodyZH, true, 20000, "中文正文", "the Chinese text")
	check("body_en", a.BodyEN, false, 40000, "英文正文", "the English text")
	if len(fields) > 0 {
		return &Error{Code: EINVALID, MessageZH: "公告内容有误", MessageEN: "the announcement is not valid", Fields: fields}
	}
	return nil
}

// Stats are the platform's public statistics on a day (a date in China
// Standard Time).
type Stats struct {
	Day time.Time
	// Subjects counts organisations; natural persons are never counted in
	// public figures.
	Subjects int
	// PublicByItem counts, by item, the records public on Day: public,
	// active, within their publication window.
	PublicByItem map[string]int
	// PublishedLast30 counts the records public on Day whose publication
	// began within the 30 days up to and including Day.
	PublishedLast30 int
	// ByMonth is collection volume for each of the 12 calendar months up
	// to and including Day's, oldest first, every month present (zero
	// counts included). A record counts in the month it was first
	// submitted.
	ByMonth []PeriodCount
	// ByProvider is collection volume over the same 12 months by provider
	// department, most records first; providers with none are left out.
	ByProvider []PeriodCount
}

// PeriodCount is the collection volume of a month or of a provider.
type PeriodCount struct {
	Key  string // YYYY-MM for a month, the provider code for a provider
	Name string // the provider's name; "" for a month
	// Records counts records first submitted; WithDeadline those of them
	// that had a submission deadline, and OnTime those first submitted on
	// or before it.
	Records      int
	WithDeadline int
	OnTime       int
}

// PortalStore is the storage the public portal needs beyond the public
// views of subjects and records.
type PortalStore interface {
	// CreateAnnouncement stores a, setting its ID and PublishedAt (the
	// store's clock), with its audit entry. Returns EINVALID from
	// a.Validate.
	CreateAnnouncement(ctx context.Context, a *Announcement) error
	// Announcements returns up to limit announcements, newest first.
	Announcements(ctx context.Context, limit int) ([]*Announcement, error)
	// Announcement returns one announcement. Returns ENOTFOUND.
	Announcement(ctx context.Context, id int64) (*Announcement, error)
	// Stats computes the public statistics on day. It reads every record:
	// callers cache it.
	Stats(ctx context.Context, day time.Time) (*Stats, error)
}
