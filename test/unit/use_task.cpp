// taskio::use_task: an Asio operation aborted because taskio cancelled the
// awaiting task throws cancelled_error with the request's message; other
// failures stay boost::system::system_error; a request that arrives after the
// operation completed is delivered right there. Real timers, TCP sockets on
// loopback and experimental channels.
#include "../test_support.hpp"

#include <boost/asio/experimental/channel.hpp>

#include <tuple>

using namespace taskio_test;
using taskio::cancelled_error;
using tcp = asio::ip::tcp;

namespace {
using channel_t = asio::experimental::channel<void(boost::system::error_code, int)>;

/// A connected TCP pair on loopback.
asio::awaitable<std::pair<tcp::socket, tcp::socket>> tcp_pair() {
  auto ex = co_await asio::this_coro::executor;
  tcp::acceptor acc(ex, {asio::ip::make_address("127.0.0.1"), 0});
  tcp::socket client(ex);
  co_await client.async_connect(acc.local_endpoint(), asio::use_awaitable);
  tcp::socket server = co_await acc.async_accept(asio::use_awaitable);
  co_return std::pair{std::move(client), std::move(server)};
}

/// What a task body saw: the exception kind and message.
struct seen {
  std::string kind = "none";
  std::string msg;
};

void classify(seen& s, std::exception_ptr e) {
  try {
    std::rethrow_exception(e);
  } catch (const cancelled_error& c) {
    s.kind = "cancelled";
    s.msg = c.message();
  } catch (const boost::system::system_error& x) {
    s.kind = "system_error";
    s.msg = x.code().message();
  } catch (...) {
    s.kind = "other";
  }
}
}  // namespace

BOOST_AUTO_TEST_SUITE(use_task)

TASKIO_TEST_CASE(timer_abort_is_a_cancelled_error_with_the_message) {
  bool swallowed = false;
  auto t = taskio::create_task([](bool& swallowed) -> asio::awaitable<void> {
    asio::steady_timer timer(co_await asio::this_coro::executor, 10h);
    try {
      co_await timer.async_wait(taskio::use_task);
    } catch (const std::exception&) {  // does not swallow a cancellation
      swallowed = true;
    }
  }(swallowed));
  co_await taskio::sleep(1s);
  t.cancel("stop timer");
  auto e = co_await catch_exception(t.async_wait());
  BOOST_TEST(!swallowed);
  BOOST_TEST(t.cancelled());
  BOOST_TEST(cancel_message(e) == "stop timer");
  BOOST_TEST(t.cancelling() == 1);
}

TASKIO_TEST_CASE(tcp_read_on_loopback_is_cancelled_and_the_socket_still_works) {
  auto [client, server] = co_await tcp_pair();
  seen s;
  auto reader = taskio::create_task([](tcp::socket& sock, seen& s) -> asio::awaitable<std::string> {
    char buf[16];
    try {
      co_await sock.async_read_some(asio::buffer(buf), taskio::use_task);
    } catch (...) {
      classify(s, std::current_exception());
      taskio::current_task().uncancel();  // handled: withdraw it
    }
    std::size_t n = co_await asio::async_read(sock, asio::buffer(buf, 5), taskio::use_task);
    co_return std::string(buf, n);
  }(server, s));
  co_await taskio::sleep(1s);
  reader.cancel("read no more");
  co_await taskio::sleep(1s);
  co_await asio::async_write(client, asio::buffer("hello", 5), asio::use_awaitable);
  BOOST_TEST(co_await reader.async_wait() == "hello");
  BOOST_TEST(s.kind == "cancelled");
  BOOST_TEST(s.msg == "read no more");
  BOOST_TEST(reader.cancelling() == 0);
}

TASKIO_TEST_CASE(channel_receive_is_cancelled_and_values_arrive) {
  channel_t ch(co_await asio::this_coro::executor, 1);
  auto t = taskio::create_task([](channel_t& ch) -> asio::awaitable<int> {
    int first = co_await ch.async_receive(taskio::use_task);
    co_return first + co_await ch.async_receive(taskio::use_task);
  }(ch));
  co_await taskio::sleep(1s);
  BOOST_TEST(ch.try_send(boost::system::error_code(), 4));
  co_await taskio::sleep(1s);
  t.cancel("channel closed for you");
  auto e = co_await catch_exception(t.async_wait());
  BOOST_TEST(t.cancelled());
  BOOST_TEST(cancel_message(e) == "channel closed for you");
}

TASKIO_TEST_CASE(several_values_come_as_a_tuple) {
  using ch2_t = asio::experimental::channel<void(boost::system::error_code, int, std::string)>;
  ch2_t ch(co_await asio::this_coro::executor, 1);
  BOOST_TEST(ch.try_send(boost::system::error_code(), 7, std::string("seven")));
  std::tuple<int, std::string> v = co_await ch.async_receive(taskio::use_task);
  BOOST_TEST(std::get<0>(v) == 7);
  BOOST_TEST(std::get<1>(v) == "seven");
}

TASKIO_TEST_CASE(an_abort_taskio_did_not_cause_stays_a_system_error) {
  auto ex = co_await asio::this_coro::executor;
  tcp::acceptor acceptor(ex, {asio::ip::make_address("127.0.0.1"), 0});
  seen s;
  auto t = taskio::create_task([](tcp::acceptor& acc, seen& s) -> asio::awaitable<void> {
    try {
      co_await acc.async_accept(taskio::use_task);
    } catch (...) {
      classify(s, std::current_exception());
    }
  }(acceptor, s));
  co_await taskio::sleep(1s);
  acceptor.close();
  co_await t.async_wait();
  BOOST_TEST(s.kind == "system_error");
  BOOST_TEST(!t.cancelled());
}

TASKIO_TEST_CASE(a_request_after_the_completion_is_delivered_right_there) {
  // The channel completes the receive (its wake-up is queued) and the task is
  // cancelled in the same step: with use_task the step raises the request
  // instead of returning the value (asyncio's rule); with plain use_awaitable
  // the value would be kept and the request land at the next suspension.
  channel_t ch(co_await asio::this_coro::executor, 1);
  int got = 0;
  auto t = taskio::create_task([](channel_t& ch, int& got) -> asio::awaitable<void> {
    got = co_await ch.async_receive(taskio::use_task);
    got += 100;  // not reached
  }(ch, got));
  co_await taskio::sleep(1s);
  BOOST_TEST(ch.try_send(boost::system::error_code(), 5));
  t.cancel("after receive");
  auto e = co_await catch_exception(t.async_wait());
  BOOST_TEST(got == 0);
  BOOST_TEST(t.cancelled());
  BOOST_TEST(cancel_message(e) == "after receive");
  BOOST_TEST(vt() == 1s);
}

TASKIO_TEST_CASE(as_default_on_t_makes_use_task_the_default_token) {
  using socket_t = taskio::use_task_t::as_default_on_t<tcp::socket>;
  auto [client, server] = co_await tcp_pair();
  socket_t sock(std::move(server));
  auto timer = taskio::use_task_t::as_default_on(asio::steady_timer(co_await asio::this_coro::executor, 10h));
  seen read_seen, wait_seen;
  auto reader = taskio::create_task([](socket_t& s, seen& out) -> asio::awaitable<void> {
    char buf[8];
    try {
      co_await s.async_read_some(asio::buffer(buf));  // no token: use_task
    } catch (...) {
      classify(out, std::current_exception());
    }
  }(sock, read_seen));
  auto waiter = taskio::create_task([](decltype(timer)& t, seen& out) -> asio::awaitable<void> {
    try {
      co_await t.async_wait();
    } catch (...) {
      classify(out, std::current_exception());
    }
  }(timer, wait_seen));
  co_await taskio::sleep(1s);
  reader.cancel("r");
  waiter.cancel("w");
  co_await reader.async_wait();
  co_await waiter.async_wait();
  BOOST_TEST(read_seen.kind == "cancelled");
  BOOST_TEST(read_seen.msg == "r");
  BOOST_TEST(wait_seen.kind == "cancelled");
  BOOST_TEST(wait_seen.msg == "w");
}

BOOST_AUTO_TEST_CASE(outside_a_task_it_is_use_awaitable) {
  // A plain co_spawn coroutine on a plain io_context: an aborted operation is
  // a system_error, a value is a value.
  asio::io_context io;
  asio::steady_timer timer(io, 10h);
  channel_t ch(io, 1);
  seen s;
  int got = 0;
  asio::co_spawn(
      io,
      [](asio::steady_timer& timer, channel_t& ch, seen& s, int& got) -> asio::awaitable<void> {
        got = co_await ch.async_receive(taskio::use_task);
        try {
          co_await timer.async_wait(taskio::use_task);
        } catch (...) {
          classify(s, std::current_exception());
        }
      }(timer, ch, s, got),
      asio::detached);
  BOOST_TEST(ch.try_send(boost::system::error_code(), 9));
  io.poll();
  timer.cancel();
  io.run();
  BOOST_TEST(got == 9);
  BOOST_TEST(s.kind == "system_error");
}

BOOST_AUTO_TEST_SUITE_END()
