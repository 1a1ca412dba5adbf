// The `explorer` program: its commands are in explorer/cli/cli.h.
//
// The explorer has its own main(). libsystemc.so defines main() too, which prints SystemC's copyright banner
// (sc_elab_and_sim calls pln()) before calling sc_main; a main() in the executable takes precedence, so no
// command prints the banner, whatever the user's environment. The library still needs an sc_main to link: it
// is the same entry point. SystemC needs nothing from sc_elab_and_sim: elaboration and sc_start() happen in
// the run's child process as before. A file-size limit (ulimit -f) must not kill it half-way with SIGXFSZ,
// leaving a staging directory behind: ignored, the write fails and the run ends as any failed write does.
#include <csignal>
#include <string>
#include <vector>

#include <systemc>  // declares sc_main extern "C", as libsystemc.so expects it

#include "explorer/cli/cli.h"

int sc_main(int argc, char* argv[]) {
  return llmx::explorer_main(std::vector<std::string>(argv + 1, argv + argc));
}

int main(int argc, char* argv[]) {
  std::signal(SIGXFSZ, SIG_IGN);
  return sc_main(argc, argv);
}
