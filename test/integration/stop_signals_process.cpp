// Stop signals sent to a real example process: example/echo_server (built by
// CMake next to the tests; its path comes from TASKIO_ECHO_SERVER, the
// environment variable or the compile definition) is started with --port 0,
// a client connects and is echoed, then the process gets SIGINT or SIGTERM:
// it must drain (the client's connection is closed after its echo) and exit
// with status 0; a second signal during the drain ends it at once with
// 128 + signo. Without the binary the test says so and passes (b2 builds
// the examples apart).
#include "../process_support.hpp"
#include "../test_support.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <csignal>
#include <memory>
#include <string>

#include <unistd.h>

namespace {

using namespace taskio_test;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

/// An echo_server process and a client connected to it, echoed once ("ping"):
/// the server is serving.
struct session {
  asio::io_context io;
  server_process server;
  tcp::socket client{io};

  explicit session(const std::string& path) : server(path, {"--port", "0", "--idle-timeout", "0"}) {
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
#ifdef TASKIO_ECHO_SERVER
  const std::string path = example_path("TASKIO_ECHO_SERVER", TASKIO_ECHO_SERVER);
#else
  const std::string path = example_path("TASKIO_ECHO_SERVER", nullptr);
#endif
  return path.empty() ? nullptr : std::make_unique<session>(path);
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
