package ident_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/xinyong/xinyong/internal/ident"
)

func ExampleCheckUSCC() {
	for _, in := range []string{" 9111 0000 6000 3734 1l ", "91110000600037341N", "9111000060003IOZSV"} {
		err := ident.CheckUSCC(ident.NormalizeUSCC(in))
		var e *ident.Error
		if errors.As(err, &e) {
			fmt.Printf("%s pos=%d got=%s want=%s\n", e.Code, e.Pos, e.Got, e.Want)
			fmt.Println(e.MessageZH)
			fmt.Println(e.MessageEN)
			continue
		}
		fmt.Println("valid")
	}
	// Output:
	// valid
	// check pos=18 got=N want=L
	// 统一社会信用代码第18位校验码错误：应为 L，实为 N；请核对全部18位是否抄录有误
	// unified social credit code: check character at position 18 is N, expected L; verify all 18 characters against the source document
	// charset pos=14 got=I want=
	// 统一社会信用代码第14位字符 I 不合法：应为数字或大写字母（不含 I、O、S、V、Z）
	// unified social credit code: character I at position 14 is not allowed; expected a digit or an upper-case letter other than I, O, S, V, Z
}

func ExampleCheckIDCard() {
	today := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	for _, in := range []string{"11010519491231002x", "36042619910102009X", "420102202701010011"} {
		err := ident.CheckIDCard(ident.NormalizeIDCard(in), today)
		if err == nil {
			fmt.Println("valid", ident.MaskIDCard(in))
			continue
		}
		e := err.(*ident.Error)
		fmt.Println(e.Code, e.MessageZH)
		fmt.Println(e.Code, e.MessageEN)
	}
	// Output:
	// valid 110105********002x
	// check 公民身份号码第18位校验码错误：应为 3，实为 X；请核对全部18位是否抄录有误
	// check resident identity number: check character at position 18 is X, expected 3; verify all 18 characters against the identity document
	// future_birth 公民身份号码第7-14位出生日期晚于当前日期，请核对出生日期
	// future_birth resident identity number: birth date at positions 7-14 is in the future; verify the birth date
}

func ExampleConvertIDCard15() {
	s, err := ident.ConvertIDCard15("110105491231002")
	fmt.Println(s, err)
	// Output: 11010519491231002X <nil>
}

func ExampleDivisionName() {
	fmt.Println(ident.DivisionName("420102"))
	fmt.Println(ident.CheckDivision("429999"))
	// Output:
	// 湖北省武汉市江岸区
	// administrative division code: 429999 is not a current Hubei division code; verify it against GB/T 2260
}

func ExampleUSCCAuthority() {
	fmt.Println(ident.USCCAuthority("91110000600037341L"))
	// Output: 市场监督管理 企业
}
