package portal_test

import (
	"fmt"
	"net/http"
	"testing"
)

// BenchmarkSubjectPage renders the page of an organisation with 200 public
// records (100 licences, 100 penalties) through the real server and store.
func BenchmarkSubjectPage(b *testing.B) {
	e := MustEnv(b)
	e.MustSubmit(b, "registration_basic", Registration(Chutian))
	var pens, lics []map[string]any
	for i := range 100 {
		day := fmt.Sprintf("2026-%02d-%02d", 1+i%11, 1+i%28)
		pens = append(pens, Penalty(Chutian, day, "cf_wsh", fmt.Sprintf("鄂市监罚〔2026〕%d号", i+1)))
		l := catalogLicence(Chutian, day)
		l["xk_wsh"] = fmt.Sprintf("JY1420106%04d", i)
		lics = append(lics, l)
	}
	e.MustSubmit(b, "admin_penalty", pens...)
	e.MustSubmit(b, "admin_licensing", lics...)
	url := e.URL + "/subjects/" + Chutian.USCC
	client := &http.Client{}
	b.ResetTimer()
	for b.Loop() {
		resp, err := client.Get(url)
		if err != nil {
			b.Fatal(err)
		}
		var buf [32 << 10]byte
		for {
			if _, err := resp.Body.Read(buf[:]); err != nil {
				break
			}
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
}

// BenchmarkSmallSubjectPage renders the page of an organisation with a
// registration, a licence and a penalty: the common case.
func BenchmarkSmallSubjectPage(b *testing.B) {
	e := MustEnv(b)
	e.MustSubmit(b, "registration_basic", Registration(Chutian))
	e.MustSubmit(b, "admin_penalty", Penalty(Chutian, "2026-10-01"))
	e.MustSubmit(b, "admin_licensing", catalogLicence(Chutian, "2026-03-02"))
	url := e.URL + "/subjects/" + Chutian.USCC
	client := &http.Client{}
	b.ResetTimer()
	for b.Loop() {
		resp, err := client.Get(url)
		if err != nil {
			b.Fatal(err)
		}
		var buf [32 << 10]byte
		for {
			if _, err := resp.Body.Read(buf[:]); err != nil {
				break
			}
		}
		resp.Body.Close()
	}
}
