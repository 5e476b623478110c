// asyncio-parity: a task's cancellation reaches any Asio operation that
// supports per-operation cancellation, awaited with plain use_awaitable, and
// is delivered exactly once.
#include "../test_support.hpp"

#include <boost/asio/experimental/channel.hpp>
#include <boost/asio/local/connect_pair.hpp>
#include <boost/asio/local/stream_protocol.hpp>

using namespace taskio_test;
using taskio::cancelled_error;

namespace {
using channel_t = asio::experimental::channel<void(boost::system::error_code, int)>;

bool aborted(const boost::system::system_error& e) { return e.code() == asio::error::operation_aborted; }
}  // namespace

BOOST_AUTO_TEST_SUITE(asio_operations)

TASKIO_TEST_CASE(timer_wait_is_aborted_and_the_task_ends_cancelled) {
  bool saw_abort = false, recognised = false;
  auto t = taskio::create_task([](bool& saw, bool& rec) -> asio::awaitable<void> {
    asio::steady_timer timer(co_await asio::this_coro::executor, 10h);
    try {
      co_await timer.async_wait(asio::use_awaitable);
    } catch (const boost::system::system_error& e) {
      saw = aborted(e);
      rec = taskio::is_cancellation(std::current_exception());
      throw;
    }
  }(saw_abort, recognised));
  co_await taskio::sleep(1s);
  t.cancel("stop timer");
  auto e = co_await catch_exception(t.async_wait());
  BOOST_TEST(saw_abort);
  BOOST_TEST(recognised);
  BOOST_TEST(t.cancelled());
  BOOST_TEST(cancel_message(e) == "stop timer");
  BOOST_TEST(t.cancelling() == 1);
}

TASKIO_TEST_CASE(cleanup_after_a_caught_abort_runs_normally) {
  auto t = taskio::create_task([]() -> asio::awaitable<int> {
    auto ex = co_await asio::this_coro::executor;
    asio::steady_timer timer(ex, 10h);
    try {
      co_await timer.async_wait(asio::use_awaitable);
    } catch (const boost::system::system_error&) {
    }
    asio::steady_timer cleanup(ex, 1ms);  // one delivery per request:
    co_await cleanup.async_wait(asio::use_awaitable);  // this wait is not aborted
    co_await taskio::sleep(1s);
    co_return 3;
  }());
  co_await taskio::sleep(1s);
  t.cancel();
  BOOST_TEST(co_await t.async_wait() == 3);
  BOOST_TEST(!t.cancelled());
  BOOST_TEST(t.cancelling() == 1);
}

TASKIO_TEST_CASE(socket_read_is_aborted) {
  auto ex = co_await asio::this_coro::executor;
  asio::local::stream_protocol::socket a(ex), b(ex);
  asio::local::connect_pair(a, b);
  auto reader = taskio::create_task([](asio::local::stream_protocol::socket& a) -> asio::awaitable<std::string> {
    char buf[16];
    try {
      co_await a.async_read_some(asio::buffer(buf), asio::use_awaitable);
    } catch (const boost::system::system_error& e) {
      BOOST_TEST(aborted(e));
    }
    // the socket still works: read what the peer sends next
    std::size_t n = co_await asio::async_read(a, asio::buffer(buf, 5), asio::use_awaitable);
    co_return std::string(buf, n);
  }(a));
  co_await taskio::sleep(1s);
  reader.cancel();
  co_await taskio::sleep(1s);
  co_await asio::async_write(b, asio::buffer("hello", 5), asio::use_awaitable);
  BOOST_TEST(co_await reader.async_wait() == "hello");
}

TASKIO_TEST_CASE(blocked_socket_write_is_aborted) {
  auto ex = co_await asio::this_coro::executor;
  asio::local::stream_protocol::socket a(ex), b(ex);
  asio::local::connect_pair(a, b);  // b never reads: a's write blocks once buffers are full
  auto writer = taskio::create_task([](asio::local::stream_protocol::socket& a) -> asio::awaitable<void> {
    std::vector<char> big(64 << 20, 'x');
    co_await asio::async_write(a, asio::buffer(big), asio::use_awaitable);
  }(a));
  co_await taskio::sleep(1s);
  BOOST_TEST(!writer.done());
  writer.cancel("slow reader");
  auto e = co_await catch_exception(writer.async_wait());
  BOOST_TEST(writer.cancelled());
  BOOST_TEST(cancel_message(e) == "slow reader");
}

TASKIO_TEST_CASE(accept_is_aborted) {
  auto ex = co_await asio::this_coro::executor;
  asio::ip::tcp::acceptor acceptor(ex, {asio::ip::make_address("127.0.0.1"), 0});
  auto t = taskio::create_task([](asio::ip::tcp::acceptor& acc) -> asio::awaitable<void> {
    co_await acc.async_accept(asio::use_awaitable);
  }(acceptor));
  co_await taskio::sleep(1s);
  t.cancel("no more clients");
  auto e = co_await catch_exception(t.async_wait());
  BOOST_TEST(t.cancelled());
  BOOST_TEST(cancel_message(e) == "no more clients");
}

TASKIO_TEST_CASE(channel_receive_is_aborted) {
  channel_t ch(co_await asio::this_coro::executor, 1);
  auto t = taskio::create_task([](channel_t& ch) -> asio::awaitable<int> {
    co_return co_await ch.async_receive(asio::use_awaitable);
  }(ch));
  co_await taskio::sleep(1s);
  t.cancel();
  co_await catch_exception(t.async_wait());
  BOOST_TEST(t.cancelled());
}

TASKIO_TEST_CASE(a_completed_operation_keeps_its_result_and_the_request_lands_next) {
  // The channel completes the receive (its wake-up is queued) and the task is
  // cancelled in the same step: the received value is not lost, and the
  // request is delivered at the task's next suspension point.
  channel_t ch(co_await asio::this_coro::executor, 1);
  int got = 0;
  auto t = taskio::create_task([](channel_t& ch, int& got) -> asio::awaitable<void> {
    got = co_await ch.async_receive(asio::use_awaitable);
    co_await taskio::sleep(10s);
  }(ch, got));
  co_await taskio::sleep(1s);
  BOOST_TEST(ch.try_send(boost::system::error_code(), 5));
  t.cancel("after receive");
  auto e = co_await catch_exception(t.async_wait());
  BOOST_TEST(got == 5);
  BOOST_TEST(t.cancelled());
  BOOST_TEST(cancel_message(e) == "after receive");
  BOOST_TEST(vt() == 1s);
}

TASKIO_TEST_CASE(uncaught_cancelled_error_from_a_raw_operation_is_not_an_error) {
  // A task whose raw operation was aborted by an unrelated close (not by a
  // cancel) ends with the error, not cancelled.
  auto ex = co_await asio::this_coro::executor;
  asio::ip::tcp::acceptor acceptor(ex, {asio::ip::make_address("127.0.0.1"), 0});
  auto t = taskio::create_task([](asio::ip::tcp::acceptor& acc) -> asio::awaitable<void> {
    co_await acc.async_accept(asio::use_awaitable);
  }(acceptor));
  co_await taskio::sleep(1s);
  acceptor.close();
  auto e = co_await catch_exception(t.async_wait());
  BOOST_TEST(!t.cancelled());
  BOOST_CHECK_THROW(std::rethrow_exception(e), boost::system::system_error);
}

BOOST_AUTO_TEST_SUITE_END()
