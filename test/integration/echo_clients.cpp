// Integration tests of the echo server (example/echo/) with clients from outside
// the project: netcat-openbsd, socat and a Python asyncio client, each run
// as a subprocess (through taskio::to_thread, so the server keeps serving
// on the test's loop) against a server on 127.0.0.1, port 0. A test whose
// tool is missing says so and passes; .ci/install-deps installs them all.
#include "echo/server.hpp"

#include "../test_support.hpp"

#include <taskio/to_thread.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>

#include <sys/wait.h>

namespace taskio_test {
namespace {

using tcp = asio::ip::tcp;

struct command_result {
  int status = -1;  // the exit status, -1 if it did not exit normally
  std::string output;
};

/// Runs `command` with /bin/sh and returns its exit status and its output
/// (stdout and stderr). Blocks: call it through to_thread.
command_result run_command(const std::string& command) {
  command_result r;
  FILE* pipe = ::popen(("(" + command + ") 2>&1").c_str(), "r");
  if (!pipe) return r;
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, pipe)) > 0;) r.output.append(buf, n);
  const int status = ::pclose(pipe);
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

/// Whether `tool` is on the PATH; if not, the test says it is skipped.
bool have(const std::string& tool) {
  if (std::system(("command -v " + tool + " >/dev/null 2>&1").c_str()) == 0) return true;
  BOOST_TEST_MESSAGE(tool << " not found: test skipped");
  return false;
}

/// Runs the shell command `command` ("PORT" in it replaced by the server's
/// port) while an echo server serves in this loop; returns its result.
asio::awaitable<command_result> run_against_server(std::string command, echo::server_stats& stats) {
  tcp::acceptor acceptor = echo::listen(co_await asio::this_coro::executor, {asio::ip::address_v4::loopback(), 0});
  for (std::size_t at; (at = command.find("PORT")) != std::string::npos;)
    command.replace(at, 4, std::to_string(acceptor.local_endpoint().port()));
  const echo::options opts;
  command_result result;
  co_await taskio::async_with(taskio::task_group{}, [&](taskio::task_group& group) -> asio::awaitable<void> {
    taskio::task<void> server = group.create_task(echo::serve(std::move(acceptor), opts, stats), "server");
    result = co_await taskio::to_thread(run_command, command);
    server.cancel();
  });
  BOOST_TEST_MESSAGE(command << "\n  -> status " << result.status << ", output: " << result.output.substr(0, 200));
  co_return result;
}

/// A shell command that sends 1 MB of random bytes through `client` (which
/// reads stdin, writes stdout) and prints "same" if they came back intact.
std::string megabyte_through(const std::string& client) {
  return "f=$(mktemp) && head -c 1000000 /dev/urandom > $f && " + client +
         " < $f > $f.out && cmp $f $f.out && echo same; rm -f $f $f.out";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(echo_clients)

TASKIO_REAL_TIME_TEST_CASE(netcat_text_and_half_close) {
  if (!have("nc")) co_return;
  echo::server_stats stats;
  // -N: shut the socket's sending side down at the end of stdin; the server
  // then echoes the rest and closes, which ends nc.
  const command_result r = co_await run_against_server("printf \"hello\\nworld\\n\" | timeout 60 nc -N 127.0.0.1 PORT", stats);
  BOOST_TEST(r.status == 0);
  BOOST_TEST(r.output == "hello\nworld\n");
  BOOST_TEST(stats.bytes_out.value() == 12u);
}

TASKIO_REAL_TIME_TEST_CASE(netcat_one_megabyte) {
  if (!have("nc")) co_return;
  echo::server_stats stats;
  const command_result r = co_await run_against_server(
      megabyte_through("timeout 60 nc -N 127.0.0.1 PORT"), stats);
  BOOST_TEST(r.output == "same\n");
  BOOST_TEST(stats.bytes_out.value() == 1'000'000u);
}

TASKIO_REAL_TIME_TEST_CASE(socat_text_and_one_megabyte) {
  if (!have("socat")) co_return;
  echo::server_stats stats;
  const command_result text = co_await run_against_server("printf \"hello socat\" | timeout 60 socat - TCP:127.0.0.1:PORT", stats);
  BOOST_TEST(text.status == 0);
  BOOST_TEST(text.output == "hello socat");
  const command_result big = co_await run_against_server(
      megabyte_through("timeout 60 socat -t 10 - TCP:127.0.0.1:PORT"), stats);
  BOOST_TEST(big.output == "same\n");
}

// 20 asyncio connections at once, 30 messages each of 1 B to 200 kB, every
// echo read with readexactly and compared; then write_eof: the server
// closes after the echo.
TASKIO_REAL_TIME_TEST_CASE(python_asyncio_clients) {
  if (!have("python3")) co_return;
  const std::string script = R"(
import asyncio, os, sys
async def client(i):
    reader, writer = await asyncio.open_connection("127.0.0.1", int(sys.argv[1]))
    for n in range(30):
        message = os.urandom(1 + (i * 7919 + n * 104729) % 200000)
        writer.write(message)
        await writer.drain()
        if await reader.readexactly(len(message)) != message:
            raise SystemExit("mismatch")
    writer.write_eof()
    if await reader.read() != b"":
        raise SystemExit("data after the echo")
    writer.close()
    await writer.wait_closed()
async def main():
    await asyncio.gather(*(client(i) for i in range(20)))
    print("ok")
asyncio.run(main())
)";
  echo::server_stats stats;
  const command_result r = co_await run_against_server("timeout 60 python3 -c '" + script + "' PORT", stats);
  BOOST_TEST(r.status == 0);
  BOOST_TEST(r.output == "ok\n");
  BOOST_TEST(stats.accepted.value() == 20u);
  BOOST_TEST(stats.bytes_in.value() == stats.bytes_out.value());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace taskio_test
