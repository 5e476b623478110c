// The graceful stop (example/common/graceful_shutdown.hpp) of the real
// example servers, as processes on loopback sockets, stopped by SIGTERM:
//
// * echo_server: a connection that has read a request when the stop comes
//   delivers its whole echo, then a clean end of file; new clients are
//   refused from the stop on; an idle connection is closed at once; a
//   connection whose client does not read is cancelled at --drain-timeout;
//   the exit status is 0.
// * chat_server: the lines queued for a client that was not reading are
//   flushed before its connection closes; exit status 0.
//
// No wall-clock bounds: the orders of events are checked (a drain deadline
// of an hour that the process does not wait for, a deadline that ends a
// drain which could not end otherwise). The paths of the executables: see
// process_support.hpp; without them the tests are skipped.
#include "../process_support.hpp"
#include "../test_support.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <csignal>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <unistd.h>

namespace {

using namespace taskio_test;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

std::string echo_server() {
#ifdef TASKIO_ECHO_SERVER
  return example_path("TASKIO_ECHO_SERVER", TASKIO_ECHO_SERVER);
#else
  return example_path("TASKIO_ECHO_SERVER", nullptr);
#endif
}

std::string chat_server() {
#ifdef TASKIO_CHAT_SERVER
  return example_path("TASKIO_CHAT_SERVER", TASKIO_CHAT_SERVER);
#else
  return example_path("TASKIO_CHAT_SERVER", nullptr);
#endif
}

tcp::endpoint local(unsigned short port) { return {asio::ip::address_v4::loopback(), port}; }

/// Whether a new client is refused.
bool refused(asio::io_context& io, unsigned short port) {
  tcp::socket probe(io);
  boost::system::error_code ec;
  probe.connect(local(port), ec);
  return ec == asio::error::connection_refused;
}

/// After a stop signal: polls until the listening socket is closed (the
/// stop has begun), at most 1,500 times.
bool wait_until_refused(asio::io_context& io, unsigned short port) {
  for (int i = 0; i < 1500; ++i) {
    if (refused(io, port)) return true;
    ::usleep(20 * 1000);
  }
  return false;
}

/// A pattern that tells every offset apart (mod 251).
std::string pattern(std::size_t n) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>(i % 251);
  return s;
}

/// Writes `data` without blocking until the socket takes no more; the bytes written.
std::size_t write_until_full(tcp::socket& s, const std::string& data) {
  s.non_blocking(true);
  boost::system::error_code ec;
  std::size_t sent = 0;
  while (sent < data.size() && !ec) sent += s.write_some(asio::buffer(data.data() + sent, data.size() - sent), ec);
  s.non_blocking(false);
  BOOST_TEST((ec == asio::error::would_block), "the socket buffers never filled: " << ec.message());
  return sent;
}

/// The number after "<key>=" in `text` (the echo server's final counters).
std::uint64_t counter(const std::string& text, const std::string& key) {
  const auto at = text.rfind(key + "=");
  BOOST_REQUIRE_MESSAGE(at != std::string::npos, "no " << key << " in: " << text);
  return std::stoull(text.substr(at + key.size() + 1));
}

/// A client that sends until every buffer on the way is full without
/// reading: the echo server is then blocked writing the echo of a chunk it
/// has read (or waiting to read, with every echo written).
struct stuck_client {
  tcp::socket socket;
  std::string sent;

  stuck_client(asio::io_context& io, unsigned short port) : socket(io) {
    socket.connect(local(port));
    const std::string data = pattern(64 << 20);  // more than every socket buffer on the way
    sent = data.substr(0, write_until_full(socket, data));
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(graceful_shutdown_process)

// A request read before the stop gets its whole echo, then end of file (no
// reset); new clients are refused from the stop on; exit status 0. The
// server's final counters say every byte read was echoed, and the client got
// exactly those bytes.
BOOST_AUTO_TEST_CASE(echo_a_request_read_before_the_stop_gets_its_whole_echo_then_eof) {
  const std::string path = echo_server();
  if (path.empty()) return;
  asio::io_context io;
  server_process server(path, {"--port", "0", "--idle-timeout", "0", "--drain-timeout", "3600"});
  stuck_client client(io, server.port());
  server.signal(SIGTERM);
  BOOST_TEST(wait_until_refused(io, server.port()));
  BOOST_TEST(refused(io, server.port()));  // and it stays so
  std::string echoed;
  boost::system::error_code ec;
  asio::read(client.socket, asio::dynamic_buffer(echoed), ec);
  BOOST_TEST((ec == asio::error::eof), ec.message());
  BOOST_TEST(!echoed.empty());
  BOOST_TEST(echoed.size() <= client.sent.size());
  BOOST_TEST((echoed == client.sent.substr(0, echoed.size())), "the echo differs from what was sent");
  BOOST_TEST(server.wait() == 0);
  const std::string log = server.rest();
  BOOST_TEST(counter(log, "bytes_in") == echoed.size());
  BOOST_TEST(counter(log, "bytes_out") == echoed.size());
  BOOST_TEST(log.find("cancelled at the drain deadline") == std::string::npos);
}

// An idle connection (nothing read, nothing to echo) is closed at once: the
// drain deadline is an hour, and the server exits 0 as soon as the client
// has its end of file.
BOOST_AUTO_TEST_CASE(echo_an_idle_connection_is_closed_at_once) {
  const std::string path = echo_server();
  if (path.empty()) return;
  asio::io_context io;
  server_process server(path, {"--port", "0", "--idle-timeout", "0", "--drain-timeout", "3600"});
  tcp::socket client(io);
  client.connect(local(server.port()));
  asio::write(client, asio::buffer(std::string("ping")));
  std::string got(4, '\0');
  asio::read(client, asio::buffer(got));
  BOOST_TEST(got == "ping");
  server.signal(SIGTERM);
  char byte;
  boost::system::error_code ec;
  BOOST_TEST(asio::read(client, asio::buffer(&byte, 1), ec) == 0u);
  BOOST_TEST((ec == asio::error::eof), ec.message());
  BOOST_TEST(server.wait() == 0);
}

// A client that never reads its echo keeps its connection from finishing:
// the connection is cancelled at the drain deadline, and the stop still
// completes with exit status 0 (without the deadline the process would
// never end).
BOOST_AUTO_TEST_CASE(echo_a_connection_that_cannot_finish_is_cancelled_at_the_drain_deadline) {
  const std::string path = echo_server();
  if (path.empty()) return;
  asio::io_context io;
  server_process server(path, {"--port", "0", "--idle-timeout", "0", "--drain-timeout", "0.2"});
  stuck_client client(io, server.port());
  server.signal(SIGTERM);
  BOOST_TEST(server.wait() == 0);  // the client never reads
  const std::string log = server.rest();
  BOOST_TEST(log.find("1 connection(s) cancelled at the drain deadline") != std::string::npos, log);
  // Where the deadline found the connection depends on the kernel's socket
  // buffers: blocked writing an echo (the bytes it had not written are
  // reported, and they are exactly what the counters lack), or with every
  // echo written, waiting for the client to acknowledge it before closing.
  const std::uint64_t not_echoed = counter(log, "bytes_in") - counter(log, "bytes_out");
  if (not_echoed == 0) {
    BOOST_TEST(log.find("bytes read were not echoed") == std::string::npos, log);
  } else {
    BOOST_TEST(log.find("cancelled: " + std::to_string(not_echoed) + " bytes read were not echoed") != std::string::npos,
               log);
  }
}

// The chat server flushes the lines queued for a client before closing its
// connection: a client with a small receive buffer that has read nothing
// when the stop comes still gets every line, then end of file.
BOOST_AUTO_TEST_CASE(chat_flushes_queued_lines_before_closing) {
  const std::string path = chat_server();
  if (path.empty()) return;
  asio::io_context io;
  server_process server(path, {"--port", "0", "--write-timeout", "3600", "--drain-timeout", "3600"});
  // joined in this order (accepted and started in order): slow, reader, sender
  tcp::socket slow(io), reader(io), sender(io);
  slow.open(tcp::v4());
  slow.set_option(asio::socket_base::receive_buffer_size(4096));
  slow.connect(local(server.port()));
  reader.connect(local(server.port()));
  sender.connect(local(server.port()));
  // 1,000 lines of 300 bytes: more than the slow client's buffers hold,
  // fewer than an outbox (1,024 lines)
  const int lines = 1000;
  std::string out;
  for (int i = 0; i < lines; ++i) {
    std::string line = "line " + std::to_string(i) + " ";
    line.resize(299, 'x');
    out += line + "\n";
  }
  asio::write(sender, asio::buffer(out));
  // once the reader has every line, every line is queued for the slow client
  std::string at_reader;
  while (std::count(at_reader.begin(), at_reader.end(), '\n') < lines) {
    char buf[4096];
    at_reader.append(buf, reader.read_some(asio::buffer(buf)));
  }
  server.signal(SIGTERM);
  BOOST_TEST(wait_until_refused(io, server.port()));
  sender.close();
  std::string at_slow;
  boost::system::error_code ec;
  asio::read(slow, asio::dynamic_buffer(at_slow), ec);
  BOOST_TEST((ec == asio::error::eof), ec.message());
  std::string expected;
  for (std::size_t from = 0; from < out.size();) {
    const std::size_t eol = out.find('\n', from);
    expected += "client-3: " + out.substr(from, eol + 1 - from);
    from = eol + 1;
  }
  BOOST_TEST(at_slow.size() == expected.size());
  BOOST_TEST((at_slow == expected), "the slow client's lines differ");
  slow.close();
  asio::read(reader, asio::dynamic_buffer(at_reader), ec);  // the reader gets end of file too
  BOOST_TEST((ec == asio::error::eof), ec.message());
  reader.close();
  BOOST_TEST(server.wait() == 0);
  const std::string log = server.rest();
  BOOST_TEST(log.find("stopped") != std::string::npos, log);
}

BOOST_AUTO_TEST_SUITE_END()
