// fork/wait for one design point per process.
#include "explorer/run/process.h"

#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <map>

#include "models/core/error.h"

namespace llmx {
namespace {

int exit_code(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 1;
}

// Forks; the child runs `body` and exits with its code (an escaping exception is printed and gives 1). The
// child dies with the parent.
pid_t fork_child(const std::function<int()>& body) {
  std::fflush(stdout);
  std::fflush(stderr);
  const pid_t parent = ::getpid();
  const pid_t pid = fork();
  if (pid < 0) throw Error(cat("fork failed: ", std::strerror(errno)));
  if (pid > 0) return pid;
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != parent) _exit(3);
  int code = 1;
  try {
    code = body();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "explorer: %s\n", e.what());
    code = 1;
  }
  std::fflush(stdout);
  std::fflush(stderr);
  _exit(code);
}

}  // namespace

int run_in_child(const std::function<int()>& body) {
  const pid_t pid = fork_child(body);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw Error(cat("waitpid failed: ", std::strerror(errno)));
  }
  return exit_code(status);
}

void run_children(size_t count, int jobs, const std::function<int(size_t)>& body,
                  const std::function<void(size_t, int)>& done) {
  if (jobs < 1) throw Error("-j needs at least 1");
  std::map<pid_t, size_t> running;
  size_t next = 0;
  while (next < count || !running.empty()) {
    while (static_cast<int>(running.size()) < jobs && next < count) {
      const size_t i = next++;
      running[fork_child([&body, i] { return body(i); })] = i;
    }
    int status = 0;
    const pid_t pid = waitpid(-1, &status, 0);
    if (pid < 0) {
      if (errno == EINTR) continue;
      throw Error(cat("waitpid failed: ", std::strerror(errno)));
    }
    const auto it = running.find(pid);
    if (it == running.end()) continue;
    const size_t i = it->second;
    running.erase(it);
    done(i, exit_code(status));
  }
}

}  // namespace llmx
