package many

import "testing"

func TestCase001(t *testing.T) {
	t.Logf("case %d", 1)
}

func TestCase002(t *testing.T) {
	t.Logf("case %d", 2)
}

func TestCase003(t *testing.T) {
	t.Logf("case %d", 3)
}

func TestCase004(t *testing.T) {
	t.Logf("case %d", 4)
}

func TestCase005(t *testing.T) {
	t.Logf("case %d", 5)
}

func TestCase006(t *testing.T) {
	t.Logf("case %d", 6)
}

func TestCase007(t *testing.T) {
	t.Logf("case %d", 7)
}

func TestCase008(t *testing.T) {
	t.Logf("case %d", 8)
}

func TestCase009(t *testing.T) {
	t.Logf("case %d", 9)
}

func TestCase010(t *testing.T) {
	t.Logf("case %d", 10)
}

func TestCase011(t *testing.T) {
	t.Logf("case %d", 11)
}

func TestCase012(t *testing.T) {
	t.Logf("case %d", 12)
}

func TestCase013(t *testing.T) {
	t.Logf("case %d", 13)
}

func TestCase014(t *testing.T) {
	t.Logf("case %d", 14)
}

func TestCase015(t *testing.T) {
	t.Logf("case %d", 15)
}

func TestCase016(t *testing.T) {
	t.Logf("case %d", 16)
}

func TestCase017(t *testing.T) {
	t.Logf("case %d", 17)
}

func TestCase018(t *testing.T) {
	t.Logf("case %d", 18)
}

func TestCase019(t *testing.T) {
	t.Logf("case %d", 19)
}

func TestCase020(t *testing.T) {
	t.Logf("case %d", 20)
}

func TestCase021(t *testing.T) {
	t.Logf("case %d", 21)
}

func TestCase022(t *testing.T) {
	t.Logf("case %d", 22)
}

func TestCase023(t *testing.T) {
	t.Logf("case %d", 23)
}

func TestCase024(t *testing.T) {
	t.Logf("case %d", 24)
}

func TestCase025(t *testing.T) {
	t.Logf("case %d", 25)
}

func TestCase026(t *testing.T) {
	t.Logf("case %d", 26)
}

func TestCase027(t *testing.T) {
	t.Logf("case %d", 27)
}

func TestCase028(t *testing.T) {
	t.Logf("case %d", 28)
}

func TestCase029(t *testing.T) {
	t.Logf("case %d", 29)
}

func TestCase030(t *testing.T) {
	t.Logf("case %d", 30)
}

func TestCase031(t *testing.T) {
	t.Logf("case %d", 31)
}

func TestCase032(t *testing.T) {
	t.Logf("case %d", 32)
}

func TestCase033(t *testing.T) {
	t.Logf("case %d", 33)
}

func TestCase034(t *testing.T) {
	t.Logf("case %d", 34)
}

func TestCase035(t *testing.T) {
	t.Logf("case %d", 35)
}

func TestCase036(t *testing.T) {
	t.Logf("case %d", 36)
}

func TestCase037(t *testing.T) {
	t.Logf("case %d", 37)
}

func TestCase038(t *testing.T) {
	t.Logf("case %d", 38)
}

func TestCase039(t *testing.T) {
	t.Logf("case %d", 39)
}

func TestCase040(t *testing.T) {
	t.Logf("case %d", 40)
}

func TestCase041(t *testing.T) {
	t.Logf("case %d", 41)
}

func TestCase042(t *testing.T) {
	t.Logf("case %d", 42)
}

func TestCase043(t *testing.T) {
	t.Logf("case %d", 43)
}

func TestCase044(t *testing.T) {
	t.Logf("case %d", 44)
}

func TestCase045(t *testing.T) {
	t.Logf("case %d", 45)
}

func TestCase046(t *testing.T) {
	t.Logf("case %d", 46)
}

func TestCase047(t *testing.T) {
	t.Logf("case %d", 47)
}

func TestCase048(t *testing.T) {
	t.Logf("case %d", 48)
}

func TestCase049(t *testing.T) {
	t.Logf("case %d", 49)
}

func TestCase050(t *testing.T) {
	t.Logf("case %d", 50)
}

func TestCase051(t *testing.T) {
	t.Logf("case %d", 51)
}

func TestCase052(t *testing.T) {
	t.Logf("case %d", 52)
}

func TestCase053(t *testing.T) {
	t.Logf("case %d", 53)
}

func TestCase054(t *testing.T) {
	t.Logf("case %d", 54)
}

func TestCase055(t *testing.T) {
	t.Logf("case %d", 55)
}

func TestCase056(t *testing.T) {
	t.Logf("case %d", 56)
}

func TestCase057(t *testing.T) {
	t.Logf("case %d", 57)
}

func TestCase058(t *testing.T) {
	t.Logf("case %d", 58)
}

func TestCase059(t *testing.T) {
	t.Logf("case %d", 59)
}

func TestCase060(t *testing.T) {
	t.Logf("case %d", 60)
}

func TestCase061(t *testing.T) {
	t.Logf("case %d", 61)
}

func TestCase062(t *testing.T) {
	t.Logf("case %d", 62)
}

func TestCase063(t *testing.T) {
	t.Logf("case %d", 63)
}

func TestCase064(t *testing.T) {
	t.Logf("case %d", 64)
}

func TestCase065(t *testing.T) {
	t.Logf("case %d", 65)
}

func TestCase066(t *testing.T) {
	t.Logf("case %d", 66)
}

func TestCase067(t *testing.T) {
	t.Logf("case %d", 67)
}

func TestCase068(t *testing.T) {
	t.Logf("case %d", 68)
}

func TestCase069(t *testing.T) {
	t.Logf("case %d", 69)
}

func TestCase070(t *testing.T) {
	t.Logf("case %d", 70)
}

func TestCase071(t *testing.T) {
	t.Logf("case %d", 71)
}

func TestCase072(t *testing.T) {
	t.Logf("case %d", 72)
}

func TestCase073(t *testing.T) {
	t.Logf("case %d", 73)
}

func TestCase074(t *testing.T) {
	t.Logf("case %d", 74)
}

func TestCase075(t *testing.T) {
	t.Logf("case %d", 75)
}

func TestCase076(t *testing.T) {
	t.Logf("case %d", 76)
}

func TestCase077(t *testing.T) {
	t.Logf("case %d", 77)
}

func TestCase078(t *testing.T) {
	t.Logf("case %d", 78)
}

func TestCase079(t *testing.T) {
	t.Logf("case %d", 79)
}

func TestCase080(t *testing.T) {
	t.Logf("case %d", 80)
}

func TestCase081(t *testing.T) {
	t.Logf("case %d", 81)
}

func TestCase082(t *testing.T) {
	t.Logf("case %d", 82)
}

func TestCase083(t *testing.T) {
	t.Logf("case %d", 83)
}

func TestCase084(t *testing.T) {
	t.Logf("case %d", 84)
}

func TestCase085(t *testing.T) {
	t.Logf("case %d", 85)
}

func TestCase086(t *testing.T) {
	t.Logf("case %d", 86)
}

func TestCase087(t *testing.T) {
	t.Logf("case %d", 87)
}

func TestCase088(t *testing.T) {
	t.Logf("case %d", 88)
}

func TestCase089(t *testing.T) {
	t.Logf("case %d", 89)
}

func TestCase090(t *testing.T) {
	t.Logf("case %d", 90)
}

func TestCase091(t *testing.T) {
	t.Logf("case %d", 91)
}

func TestCase092(t *testing.T) {
	t.Logf("case %d", 92)
}

func TestCase093(t *testing.T) {
	t.Logf("case %d", 93)
}

func TestCase094(t *testing.T) {
	t.Logf("case %d", 94)
}

func TestCase095(t *testing.T) {
	t.Logf("case %d", 95)
}

func TestCase096(t *testing.T) {
	t.Logf("case %d", 96)
}

func TestCase097(t *testing.T) {
	t.Logf("case %d", 97)
}

func TestCase098(t *testing.T) {
	t.Logf("case %d", 98)
}

func TestCase099(t *testing.T) {
	t.Logf("case %d", 99)
}

func TestCase100(t *testing.T) {
	t.Logf("case %d", 100)
}

func TestCase101(t *testing.T) {
	t.Logf("case %d", 101)
}

func TestCase102(t *testing.T) {
	t.Logf("case %d", 102)
}

func TestCase103(t *testing.T) {
	t.Logf("case %d", 103)
}

func TestCase104(t *testing.T) {
	t.Logf("case %d", 104)
}

func TestCase105(t *testing.T) {
	t.Logf("case %d", 105)
}

func TestCase106(t *testing.T) {
	t.Logf("case %d", 106)
}

func TestCase107(t *testing.T) {
	t.Logf("case %d", 107)
}

func TestCase108(t *testing.T) {
	t.Logf("case %d", 108)
}

func TestCase109(t *testing.T) {
	t.Logf("case %d", 109)
}

func TestCase110(t *testing.T) {
	t.Logf("case %d", 110)
}

func TestCase111(t *testing.T) {
	t.Logf("case %d", 111)
}

func TestCase112(t *testing.T) {
	t.Logf("case %d", 112)
}

func TestCase113(t *testing.T) {
	t.Logf("case %d", 113)
}

func TestCase114(t *testing.T) {
	t.Logf("case %d", 114)
}

func TestCase115(t *testing.T) {
	t.Logf("case %d", 115)
}

func TestCase116(t *testing.T) {
	t.Logf("case %d", 116)
}

func TestCase117(t *testing.T) {
	t.Logf("case %d", 117)
}

func TestCase118(t *testing.T) {
	t.Logf("case %d", 118)
}

func TestCase119(t *testing.T) {
	t.Logf("case %d", 119)
}

func TestCase120(t *testing.T) {
	t.Logf("case %d", 120)
}
