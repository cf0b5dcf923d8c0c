package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/xinyong/xinyong/internal/catalog"
	"github.com/xinyong/xinyong/internal/credit"
	"github.com/xinyong/xinyong/internal/ident"
	"github.com/xinyong/xinyong/internal/web/api"
)

var providerCodeRE = regexp.MustCompile(`^(\d{6})-([A-Z0-9]{2,20})$`)

func runProvider(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "add" && args[0] != "list") {
		fmt.Fprint(stderr, "usage: xinyong provider add --code CODE --name NAME --items a,b [--json] | xinyong provider list\n")
		return errUsage
	}
	c := DefaultConfig()
	fs := flag.NewFlagSet("provider "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	c.dataFlags(fs)
	var code, name, items string
	var asJSON bool
	if args[0] == "add" {
		fs.StringVar(&code, "code", "", "provider code: division code and department abbreviation, e.g. 420000-SCJG")
		fs.StringVar(&name, "name", "", "department name, e.g. 湖北省市场监督管理局")
		fs.StringVar(&items, "items", "", "comma-separated catalogue item codes it may submit")
	}
	fs.BoolVar(&asJSON, "json", false, "print JSON")
	if err := fs.Parse(args[1:]); err != nil {
		return errUsage
	}
	app, err := openApp(ctx, c, migrateEmbedded)
	if err != nil {
		return err
	}
	defer app.Close()
	if args[0] == "list" {
		ps, err := app.Store.Providers(ctx)
		if err != nil {
			return err
		}
		if asJSON {
			type row struct {
				Code  string   `json:"code"`
				Name  string   `json:"name"`
				Items []string `json:"items"`
			}
			out := []row{}
			for _, p := range ps {
				out = append(out, row{p.Code, p.Name, p.Items})
			}
			return json.NewEncoder(stdout).Encode(out)
		}
		for _, p := range ps {
			fmt.Fprintf(stdout, "%s\t%s\t%s\n", p.Code, p.Name, strings.Join(p.Items, ","))
		}
		return nil
	}
	p, err := newProvider(app.Catalog, code, name, items)
	if err != nil {
		return err
	}
	key, err := addProvider(ctx, app, p)
	if err != nil {
		return err
	}
	if asJSON {
		return json.NewEncoder(stdout).Encode(map[string]string{"code": p.Code, "api_key": key})
	}
	fmt.Fprintf(stdout, "registered %s %s\nAPI key (shown once; store it safely / 密钥仅显示一次，请妥善保存):\n%s\n", p.Code, p.Name, key)
	return nil
}

// newProvider checks a provider's registration against the catalogue.
func newProvider(cat *catalog.Catalog, code, name, items string) (*credit.Provider, error) {
	code = strings.ToUpper(strings.TrimSpace(code))
	m := providerCodeRE.FindStringSubmatch(code)
	if m == nil {
		return nil, credit.Errorf(credit.EINVALID, "提供单位代码“%s”格式应为 行政区划代码-部门简称，如 420000-SCJG",
			"provider code %q must be a division code and a department abbreviation, e.g. 420000-SCJG", code)
	}
	if err := ident.CheckDivision(m[1]); err != nil {
		return nil, credit.Errorf(credit.EINVALID, "提供单位代码中的行政区划代码 %s 无效", "the division code %s in the provider code is not valid", m[1])
	}
	name = strings.TrimSpace(name)
	if name == "" {
		return nil, credit.Errorf(credit.EINVALID, "请用 --name 给出部门名称", "give the department's name with --name")
	}
	p := &credit.Provider{Code: code, Name: name}
	for _, it := range strings.Split(items, ",") {
		it = strings.TrimSpace(it)
		if it == "" {
			continue
		}
		item, ok := cat.Item(it)
		if !ok {
			var codes []string
			for _, x := range cat.Items() {
				codes = append(codes, x.Code)
			}
			return nil, credit.Errorf(credit.EINVALID, "目录中没有条目“%s”；可用条目：%s", "the catalogue has no item %q; items: %s", it, strings.Join(codes, ", "))
		}
		if !item.AllowsProvider(code) {
			return nil, credit.Errorf(credit.EINVALID, "目录不允许 %s 报送“%s”", "the catalogue does not let %s submit %s", code, it)
		}
		p.Items = append(p.Items, it)
	}
	if len(p.Items) == 0 {
		return nil, credit.Errorf(credit.EINVALID, "请用 --items 列出可报送的目录条目，如 admin_licensing,admin_penalty",
			"list the items it may submit with --items, e.g. admin_licensing,admin_penalty")
	}
	return p, nil
}

// addProvider stores p with a fresh API key and returns the key; only its
// hash is kept.
func addProvider(ctx context.Context, app *App, p *credit.Provider) (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	key := "xy_" + base64.RawURLEncoding.EncodeToString(b)
	if err := app.Store.CreateProvider(ctx, p, api.HashKey(key)); err != nil {
		return "", err
	}
	return key, nil
}
