//
// test/process_support.hpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// An example server run as a child process by the integration tests that
// send it stop signals (stop_signals_process, graceful_shutdown_process).
// The executables are built by CMake next to the tests; their paths come
// from an environment variable or a compile definition (TASKIO_ECHO_SERVER,
// TASKIO_CHAT_SERVER). Without one, the test says it is skipped and passes
// (b2 builds the examples apart).

#ifndef TASKIO_TEST_PROCESS_SUPPORT_HPP
#define TASKIO_TEST_PROCESS_SUPPORT_HPP

#include <boost/test/unit_test.hpp>

#include <csignal>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

namespace taskio_test {

/// `variable`'s value if set, else `compiled` (a compile definition, or
/// nullptr); empty when the executable is not there.
inline std::string example_path(const char* variable, const char* compiled) {
  std::string path;
  if (const char* p = std::getenv(variable)) path = p;
  else if (compiled) path = compiled;
  if (!path.empty() && ::access(path.c_str(), X_OK) != 0) path.clear();
  if (path.empty()) BOOST_TEST_MESSAGE(variable << ": the example is not built here, test skipped");
  return path;
}

/// An example server as a child process with `args`; its stdout and
/// stderr (one pipe) are read up to the line "listening <addr>:<port>".
/// The destructor kills it if it still runs.
class server_process {
public:
  server_process(const std::string& path, const std::vector<std::string>& args) {
    int out[2];
    BOOST_REQUIRE(::pipe(out) == 0);
    pid_ = ::fork();
    BOOST_REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      ::dup2(out[1], STDOUT_FILENO);
      ::dup2(out[1], STDERR_FILENO);
      ::close(out[0]);
      ::close(out[1]);
      // a fresh disposition for the stop signals, whatever the test runner has
      ::signal(SIGINT, SIG_DFL);
      ::signal(SIGTERM, SIG_DFL);
      std::vector<char*> argv{const_cast<char*>(path.c_str())};
      for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      ::execv(path.c_str(), argv.data());
      ::_exit(127);
    }
    ::close(out[1]);
    out_ = out[0];
    // "listening 127.0.0.1:<port>\n" (log lines may come first)
    std::string line;
    for (;;) {
      line = read_line();
      if (line.empty() || line.rfind("listening ", 0) == 0) break;
    }
    const auto colon = line.rfind(':');
    BOOST_REQUIRE_MESSAGE(line.rfind("listening ", 0) == 0 && colon != std::string::npos,
                          path << " printed '" << line << "'");
    port_ = static_cast<unsigned short>(std::stoi(line.substr(colon + 1)));
  }
  ~server_process() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    ::close(out_);
  }
  server_process(const server_process&) = delete;
  server_process& operator=(const server_process&) = delete;

  unsigned short port() const { return port_; }
  void signal(int signo) { ::kill(pid_, signo); }
  /// The exit status (-1: ended by a signal).
  int wait() {
    int status = 0;
    ::waitpid(std::exchange(pid_, 0), &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  /// What the process wrote after "listening", up to its end (call after wait()).
  std::string rest() {
    std::string all;
    char buf[4096];
    for (ssize_t n; (n = ::read(out_, buf, sizeof buf)) > 0;) all.append(buf, static_cast<std::size_t>(n));
    return all;
  }

private:
  /// The next line of output, without '\n' ("" at the end).
  std::string read_line() {
    std::string line;
    char c;
    while (::read(out_, &c, 1) == 1 && c != '\n') line += c;
    return line;
  }

  pid_t pid_ = 0;
  int out_ = -1;
  unsigned short port_ = 0;
};

}  // namespace taskio_test

#endif  // TASKIO_TEST_PROCESS_SUPPORT_HPP
