// Stop signals sent to a real example process: example/echo_server (built by
// CMake next to the tests; its path comes from TASKIO_ECHO_SERVER, the
// environment variable or the compile definition) is started with --port 0,
// a client connects and is echoed, then the process gets SIGINT or SIGTERM:
// it must drain (the client's connection is closed after its echo) and exit
// with status 0; a second signal during the drain ends it at once with
// 128 + signo. Without the binary the test says so and passes (b2 builds
// the examples apart).
#include "../test_support.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <csignal>
#include <memory>
#include <cstdlib>
#include <string>

#include <sys/wait.h>
#include <unistd.h>

namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

std::string echo_server_path() {
  if (const char* p = std::getenv("TASKIO_ECHO_SERVER")) return p;
#ifdef TASKIO_ECHO_SERVER
  return TASKIO_ECHO_SERVER;
#else
  return {};
#endif
}

/// The echo server as a child process, its stdout read up to "listening".
class server_process {
public:
  explicit server_process(const std::string& path) {
    int out[2];
    BOOST_REQUIRE(::pipe(out) == 0);
    pid_ = ::fork();
    BOOST_REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      ::dup2(out[1], STDOUT_FILENO);
      ::close(out[0]);
      ::close(out[1]);
      // a fresh disposition for the stop signals, whatever the test runner has
      ::signal(SIGINT, SIG_DFL);
      ::signal(SIGTERM, SIG_DFL);
      ::execl(path.c_str(), path.c_str(), "--port", "0", "--idle-timeout", "0", static_cast<char*>(nullptr));
      ::_exit(127);
    }
    ::close(out[1]);
    // "listening 127.0.0.1:<port>\n"
    std::string line;
    char c;
    while (::read(out[0], &c, 1) == 1 && c != '\n') line += c;
    ::close(out[0]);
    const auto colon = line.rfind(':');
    BOOST_REQUIRE_MESSAGE(line.rfind("listening ", 0) == 0 && colon != std::string::npos,
                          "echo_server printed '" << line << "'");
    port_ = static_cast<unsigned short>(std::stoi(line.substr(colon + 1)));
  }
  ~server_process() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  unsigned short port() const { return port_; }
  void signal(int signo) { ::kill(pid_, signo); }
  /// The exit status (-1: ended by a signal).
  int wait() {
    int status = 0;
    ::waitpid(std::exchange(pid_, 0), &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

private:
  pid_t pid_ = 0;
  unsigned short port_ = 0;
};

/// An echo_server process and a client connected to it, echoed once ("ping"):
/// the server is serving.
struct session {
  asio::io_context io;
  server_process server;
  tcp::socket client{io};

  explicit session(const std::string& path) : server(path) {
    client.connect({asio::ip::address_v4::loopback(), server.port()});
    asio::write(client, asio::buffer(std::string("ping")));
    std::string got(4, '\0');
    asio::read(client, asio::buffer(got));
    BOOST_TEST(got == "ping");
  }
};

/// A session, or null when echo_server is not built here (the test then
/// says it is skipped).
std::unique_ptr<session> start_session() {
  const std::string path = echo_server_path();
  if (path.empty() || ::access(path.c_str(), X_OK) != 0) {
    BOOST_TEST_MESSAGE("echo_server not built here: test skipped");
    return nullptr;
  }
  return std::make_unique<session>(path);
}

void drains_and_exits_0_on(int signo) {
  auto s = start_session();
  if (!s) return;
  s->server.signal(signo);
  // the connection drains and closes: EOF after nothing more
  boost::system::error_code ec;
  char byte;
  const std::size_t n = asio::read(s->client, asio::buffer(&byte, 1), ec);
  BOOST_TEST(n == 0u);
  BOOST_TEST(ec == asio::error::eof);
  BOOST_TEST(s->server.wait() == 0);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(stop_signals_process)

BOOST_AUTO_TEST_CASE(sigint_drains_and_exits_0) { drains_and_exits_0_on(SIGINT); }

BOOST_AUTO_TEST_CASE(sigterm_drains_and_exits_0) { drains_and_exits_0_on(SIGTERM); }

BOOST_AUTO_TEST_CASE(a_second_sigterm_during_the_drain_exits_143_at_once) {
  auto s = start_session();
  if (!s) return;
  asio::io_context& io = s->io;
  server_process& server = s->server;
  tcp::socket& client = s->client;
  // a client that sends but never reads: once both directions' socket
  // buffers are full the connection cannot write its echo, so the drain
  // waits (its deadline is 2 s)
  std::string big(8 << 20, 'x');
  client.non_blocking(true);
  boost::system::error_code ec;
  for (std::size_t sent = 0; sent < big.size() && !ec;)
    sent += client.write_some(asio::buffer(big.data() + sent, big.size() - sent), ec);
  // The first SIGTERM starts the drain, which waits for the stuck echo (up to
  // its 2 s deadline). Once the listening socket is closed, the drain has
  // begun: the second SIGTERM then ends the process at once. (One signal at a
  // time: after run_main returns, SIGTERM has its default disposition again.)
  server.signal(SIGTERM);
  for (int i = 0; i < 1500; ++i) {  // bounded: 30 s
    tcp::socket probe(io);
    boost::system::error_code refused;
    probe.connect({asio::ip::address_v4::loopback(), server.port()}, refused);
    if (refused) break;
    ::usleep(20 * 1000);
  }
  server.signal(SIGTERM);
  BOOST_TEST(server.wait() == 128 + SIGTERM);
}

BOOST_AUTO_TEST_SUITE_END()
