package e2e

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// pgCluster is a PostgreSQL server of a test's own, made with initdb in a
// temp directory on a free port, so the test can stop and freeze it without
// touching the PostgreSQL other tests share.
type pgCluster struct {
	t    *testing.T
	bin  string   // the directory holding initdb, pg_ctl and postgres
	dir  string   // owned by the user the server runs as
	as   []string // runuser prefix when the test runs as root
	port int
}

// newPGCluster creates and starts a throwaway cluster. Without the
// PostgreSQL binaries it skips, except in CI (CI=true), where it fails.
func newPGCluster(t *testing.T) *pgCluster {
	t.Helper()
	bin := postgresBin()
	if bin == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("the PostgreSQL server binaries (initdb, pg_ctl) are not installed; install the postgresql package")
		}
		t.Skip("the PostgreSQL server binaries (initdb, pg_ctl) are not installed")
	}
	dir, err := os.MkdirTemp("", "aeso-pg-")
	if err != nil {
		t.Fatal(err)
	}
	c := &pgCluster{t: t, bin: bin, dir: dir, port: freePort(t)}
	t.Cleanup(func() {
		c.thaw()
		_ = c.pgCtl("stop", "-m", "immediate")
		os.RemoveAll(dir)
	})
	if os.Geteuid() == 0 {
		// initdb refuses to run as root: the server runs as postgres.
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Fatalf("running as root needs the postgres user to own the cluster: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
		c.as = []string{"runuser", "-u", "postgres", "--"}
	}
	if out, err := c.command("initdb", "-D", c.data(), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync").CombinedOutput(); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	c.start()
	return c
}

// postgresBin returns the newest /usr/lib/postgresql/*/bin (Debian's
// layout), or the directory of initdb on PATH, or "".
func postgresBin() string {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return pgVersion(dirs[i]) < pgVersion(dirs[j]) })
	for i := len(dirs) - 1; i >= 0; i-- {
		if _, err := os.Stat(filepath.Join(dirs[i], "initdb")); err == nil {
			return dirs[i]
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p)
	}
	return ""
}

func pgVersion(binDir string) float64 {
	v, _ := strconv.ParseFloat(filepath.Base(filepath.Dir(binDir)), 64)
	return v
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func (c *pgCluster) data() string { return filepath.Join(c.dir, "data") }

// URL is the cluster's postgres database.
func (c *pgCluster) URL() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", c.port)
}

func (c *pgCluster) command(tool string, args ...string) *exec.Cmd {
	argv := append(append(append([]string{}, c.as...), filepath.Join(c.bin, tool)), args...)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = c.dir
	return cmd
}

func (c *pgCluster) pgCtl(args ...string) error {
	all := append([]string{"-D", c.data(), "-w", "-t", "60"}, args...)
	out, err := c.command("pg_ctl", all...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("pg_ctl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return nil
}

// start starts the server and waits until it accepts connections.
func (c *pgCluster) start() {
	c.t.Helper()
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off", c.port, c.dir)
	if err := c.pgCtl("-l", filepath.Join(c.dir, "server.log"), "-o", opts, "start"); err != nil {
		log, _ := os.ReadFile(filepath.Join(c.dir, "server.log"))
		c.t.Fatalf("%v\nserver log:\n%s", err, log)
	}
}

// stop kills the server as a crash or an operator's immediate stop would:
// no checkpoint, every connection cut.
func (c *pgCluster) stop() {
	c.t.Helper()
	if err := c.pgCtl("-m", "immediate", "stop"); err != nil {
		c.t.Fatal(err)
	}
}

// processes returns the postmaster and every process it forked (the
// backends and background workers).
func (c *pgCluster) processes() []int {
	b, err := os.ReadFile(filepath.Join(c.data(), "postmaster.pid"))
	if err != nil {
		return nil
	}
	pm, err := strconv.Atoi(strings.TrimSpace(strings.SplitN(string(b), "\n", 2)[0]))
	if err != nil {
		return nil
	}
	pids := []int{pm}
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, f := range stats {
		s, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		// pid (comm) state ppid …; comm may hold spaces, so split after ')'.
		rest := string(s)[strings.LastIndexByte(string(s), ')')+1:]
		fields := strings.Fields(rest)
		if len(fields) > 1 && fields[1] == strconv.Itoa(pm) {
			pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(f)))
			pids = append(pids, pid)
		}
	}
	return pids
}

// freeze stops (SIGSTOP) the postmaster and its backends: connections stay
// open and nothing answers, as with a hung host or a full disk.
func (c *pgCluster) freeze() {
	c.t.Helper()
	pids := c.processes()
	if len(pids) < 2 {
		c.t.Fatalf("found %d PostgreSQL processes to freeze, want the postmaster and its backends", len(pids))
	}
	// A backend the postmaster forked between the listing and its own stop
	// (a connection opening just then) would serve on, and a server using
	// it would never see the outage: list again until nothing new appears.
	stopped := map[int]bool{}
	for len(pids) > 0 {
		var fresh []int
		for _, pid := range pids {
			if stopped[pid] {
				continue
			}
			if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
				c.t.Fatalf("SIGSTOP %d: %v", pid, err)
			}
			stopped[pid] = true
			fresh = append(fresh, pid)
		}
		if len(fresh) == 0 {
			return
		}
		pids = c.processes()
	}
}

// thaw resumes every frozen process (SIGCONT).
func (c *pgCluster) thaw() {
	for _, pid := range c.processes() {
		_ = syscall.Kill(pid, syscall.SIGCONT)
	}
}
