// Unit tests of <taskio/gather.hpp> (doc/semantics.md 9, gather, and 20.4, decisions).
#include <taskio/gather.hpp>  // first: the header is self-contained

#include "../concurrency_support.hpp"

#include <list>

using namespace taskio_test;
using taskio::cancelled_error;

BOOST_AUTO_TEST_SUITE(gather)

TASKIO_TEST_CASE(results_come_in_argument_order_not_completion_order) {
  auto [a, b, c] = co_await taskio::gather(value_after(3s, 1), value_after(1s, 2), value_after(2s, 3));
  BOOST_TEST(a == 1);
  BOOST_TEST(b == 2);
  BOOST_TEST(c == 3);
  BOOST_TEST(vt() == 3s);
}

TASKIO_TEST_CASE(tasks_futures_and_awaitables_mix_and_void_becomes_monostate) {
  auto t = taskio::create_task(value_after(2s, 20));
  taskio::future<std::string> f;
  taskio::call_later(1s, [f] { f.set_result("set"); });
  std::tuple<int, std::string, std::monostate, int> r =
      co_await taskio::gather(t, f, taskio::sleep(3s), value_after(1s, 10));
  BOOST_TEST(std::get<0>(r) == 20);
  BOOST_TEST(std::get<1>(r) == "set");
  BOOST_TEST(std::get<3>(r) == 10);
  BOOST_TEST(vt() == 3s);
}

TASKIO_TEST_CASE(a_duplicate_is_watched_once_and_repeats_its_result) {
  auto t = taskio::create_task(value_after(1s, 7));
  auto u = taskio::create_task(value_after(2s, 8));
  auto [a, b, c] = co_await taskio::gather(t, u, t);
  BOOST_TEST(a == 7);
  BOOST_TEST(b == 8);
  BOOST_TEST(c == 7);
  std::vector<int> v = co_await taskio::gather(vec<taskio::task<int>>(u, t, u));
  BOOST_TEST((v == vec<int>(8, 7, 8)));
}

TASKIO_TEST_CASE(a_cancelled_duplicate_is_cancelled_once) {
  auto t = taskio::create_task(forever());
  auto parent = taskio::create_task(
      [](taskio::task<void> t) -> asio::awaitable<void> { co_await taskio::gather(t, t); }(t));
  co_await taskio::sleep(1s);
  parent.cancel();
  co_await catch_exception(parent.async_wait());
  BOOST_TEST(t.cancelled());
  BOOST_TEST(t.cancelling() == 1);
}

TASKIO_TEST_CASE(empty_gathers_complete_without_suspending) {
  trace tr;
  taskio::call_soon([&] { tr("callback"); });
  std::tuple<> none = co_await taskio::gather();
  (void)none;
  std::vector<int> v = co_await taskio::gather(std::vector<taskio::task<int>>{});
  auto o = co_await taskio::gather(taskio::return_exceptions, std::vector<taskio::task<int>>{});
  tr("gathered");
  co_await taskio::sleep(0s);
  BOOST_TEST(v.empty());
  BOOST_TEST(o.empty());
  BOOST_TEST(tr.str() == "gathered callback");
}

TASKIO_TEST_CASE(ranges_of_tasks_futures_and_awaitables) {
  std::vector<taskio::task<int>> tasks;
  for (int i = 0; i < 3; ++i) tasks.push_back(taskio::create_task(value_after(std::chrono::seconds(3 - i), i)));
  BOOST_TEST((co_await taskio::gather(tasks) == vec<int>(0, 1, 2)));  // an lvalue range is copied

  std::vector<asio::awaitable<int>> aws;
  for (int i = 0; i < 3; ++i) aws.push_back(value_after(1s, i * 10));
  BOOST_TEST((co_await taskio::gather(std::move(aws)) == vec<int>(0, 10, 20)));

  std::list<taskio::future<int>> futures(2);
  taskio::call_soon([&] {
    futures.front().set_result(1);
    futures.back().set_result(2);
  });
  BOOST_TEST((co_await taskio::gather(futures) == vec<int>(1, 2)));

  std::vector<asio::awaitable<void>> voids;
  voids.push_back(taskio::sleep(1s));
  std::vector<std::monostate> ms = co_await taskio::gather(std::move(voids));
  BOOST_TEST(ms.size() == 1u);
}

TASKIO_TEST_CASE(children_are_scheduled_at_the_call_in_argument_order) {
  trace tr;
  auto step = [](trace& tr, std::string name) -> asio::awaitable<int> {
    tr(name);
    co_return 0;
  };
  auto g = taskio::gather(step(tr, "a"), step(tr, "b"));
  tr("called");
  co_await taskio::sleep(0s);
  tr("yielded");
  co_await std::move(g);
  BOOST_TEST(tr.str() == "called a b yielded");
}

TASKIO_TEST_CASE(the_first_error_propagates_at_once_and_the_others_keep_running) {
  auto slow = taskio::create_task(value_after(2s, 5));
  auto e = co_await catch_exception(taskio::gather(fail_after(1s, "boom"), slow));
  BOOST_TEST(error_text(e) == "boom");
  BOOST_TEST(vt() == 1s);
  BOOST_TEST(!slow.done());
  BOOST_TEST(slow.cancelling() == 0);
  BOOST_TEST(co_await slow.async_wait() == 5);
  BOOST_TEST(vt() == 2s);
}

TASKIO_TEST_CASE(a_cancelled_child_fails_gather_with_its_cancelled_error) {
  auto victim = taskio::create_task(forever());
  auto other = taskio::create_task(value_after(3s, 1));
  taskio::call_later(1s, [victim] { victim.cancel("victim"); });
  auto e = co_await catch_exception(taskio::gather(victim, other));
  BOOST_TEST(cancel_message(e) == "victim");
  BOOST_TEST(vt() == 1s);
  BOOST_TEST(taskio::current_task().cancelling() == 0);  // not a cancellation of this task
  BOOST_TEST(!other.done());                             // siblings are not cancelled
  BOOST_TEST(co_await other.async_wait() == 1);
}

TASKIO_TEST_CASE(return_exceptions_collects_every_outcome) {
  auto victim = taskio::create_task(forever());
  taskio::call_later(1s, [victim] { victim.cancel("m"); });
  auto [a, b, c, d] = co_await taskio::gather(taskio::return_exceptions, value_after(2s, 1), fail_after(1s, "boom"),
                                              victim, taskio::sleep(1s));
  BOOST_TEST(vt() == 2s);
  BOOST_TEST(a.has_value());
  BOOST_TEST(a.value() == 1);
  BOOST_TEST(!a.exception());
  BOOST_TEST(!b.has_value());
  BOOST_TEST(error_text(b.exception()) == "boom");
  BOOST_CHECK_THROW(b.value(), std::runtime_error);
  BOOST_TEST(!c);
  BOOST_TEST(cancel_message(c.exception()) == "m");  // the message is kept
  BOOST_TEST(d.has_value());

  std::vector<asio::awaitable<int>> aws;
  aws.push_back(fail_after(1s, "x"));
  aws.push_back(value_after(1s, 4));
  auto v = co_await taskio::gather(taskio::return_exceptions, std::move(aws));
  BOOST_TEST(error_text(v[0].exception()) == "x");
  BOOST_TEST(v[1].value() == 4);
}

TASKIO_TEST_CASE(cancelling_the_awaiting_task_cancels_every_unfinished_child) {
  auto done_child = taskio::create_task(value_after(1s, 1));
  auto a = taskio::create_task(forever());
  auto b = taskio::create_task(forever());
  auto parent = taskio::create_task([](auto x, auto y, auto z) -> asio::awaitable<void> {
    co_await taskio::gather(x, y, z);
  }(done_child, a, b));
  co_await taskio::sleep(2s);
  BOOST_TEST(parent.cancel("stop"));
  auto e = co_await catch_exception(parent.async_wait());
  BOOST_TEST(cancel_message(e) == "stop");
  BOOST_TEST(parent.cancelled());
  BOOST_TEST(a.cancelled());
  BOOST_TEST(b.cancelled());
  BOOST_TEST(cancel_message(co_await catch_exception(a.async_wait())) == "stop");
  BOOST_TEST(!done_child.cancelled());
  BOOST_TEST(vt() == 2s);
}

TASKIO_TEST_CASE(children_cancelled_before_their_first_step_never_run) {
  bool ran = false;
  auto body = [](bool& ran) -> asio::awaitable<void> {
    ran = true;
    co_return;
  };
  auto parent = taskio::create_task([](auto body, bool& ran) -> asio::awaitable<void> {
    co_await taskio::gather(body(ran), body(ran));
  }(body, ran));
  co_await taskio::sleep(0s);  // the parent created the children and suspended
  parent.cancel();
  auto e = co_await catch_exception(parent.async_wait());
  BOOST_TEST(static_cast<bool>(e));
  BOOST_TEST(parent.cancelled());
  BOOST_TEST(!ran);
}

TASKIO_TEST_CASE(return_exceptions_does_not_hide_a_cancellation_of_the_gather) {
  auto parent = taskio::create_task([]() -> asio::awaitable<void> {
    co_await taskio::gather(taskio::return_exceptions, forever(), value_after(1s, 1));
  }());
  co_await taskio::sleep(2s);
  parent.cancel("bpo-32684");
  auto e = co_await catch_exception(parent.async_wait());
  BOOST_TEST(cancel_message(e) == "bpo-32684");
  BOOST_TEST(parent.cancelled());
}

TASKIO_TEST_CASE(cancel_when_every_child_is_done_but_not_yet_reported_raises_cancelled_error) {
  // bpo-26923: gather refuses, the awaiting task keeps the request.
  auto c1 = taskio::create_task(value_after(1s, 1));
  auto c2 = taskio::create_task(value_after(1s, 2));
  bool finished = false;
  auto parent = taskio::create_task([](auto x, auto y, bool& finished) -> asio::awaitable<void> {
    co_await taskio::gather(x, y);
    finished = true;
  }(c1, c2, finished));
  co_await taskio::sleep(0s);
  co_await taskio::sleep(0s);
  bool children_done = false;
  taskio::call_later(1s, [&] {  // runs after both children finished, in the same iteration
    children_done = c1.done() && c2.done();
    parent.cancel("late");
  });
  auto e = co_await catch_exception(parent.async_wait());
  BOOST_TEST(children_done);
  BOOST_TEST(cancel_message(e) == "late");
  BOOST_TEST(!finished);
  BOOST_TEST(parent.cancelling() == 1);
}

TASKIO_TEST_CASE(a_cancel_racing_a_child_failure_is_delivered_at_the_next_suspension) {
  // doc/semantics.md 20.4 (gather never loses a request). CPython 3.12/3.13: the task gets "boom" and the
  // request is lost. taskio: "boom", then cancelled_error at the next
  // suspension point.
  taskio::task<int> failing;
  taskio::task<void> sleeper;
  std::exception_ptr from_gather, from_next;
  auto body = [&]() -> asio::awaitable<void> {  // named: it outlives the task
    failing = taskio::create_task(fail_after(1s, "boom"));
    sleeper = taskio::create_task(forever());
    from_gather = co_await catch_exception(taskio::gather(failing, sleeper));
    from_next = co_await catch_exception(taskio::sleep(1s));
  };
  auto parent = taskio::create_task(body());
  co_await taskio::sleep(0s);
  co_await taskio::sleep(0s);  // `failing` is asleep: its timer comes before ours
  bool failed_before_cancel = false;
  taskio::call_later(1s, [&] {
    failed_before_cancel = failing.done();  // its failure is not reported yet
    BOOST_TEST(parent.cancel("late"));
  });
  co_await catch_exception(parent.async_wait());
  BOOST_TEST(failed_before_cancel);
  BOOST_TEST(error_text(from_gather) == "boom");
  BOOST_REQUIRE(from_next);
  BOOST_TEST(cancel_message(from_next) == "late");
  BOOST_TEST(vt() == 1s);
  BOOST_TEST(parent.cancelling() == 1);  // one request, one delivery
  BOOST_TEST(sleeper.cancelled());
}

TASKIO_TEST_CASE(a_withdrawn_racing_cancel_is_not_delivered) {
  taskio::task<int> failing;
  std::exception_ptr from_gather, from_next;
  auto body = [&]() -> asio::awaitable<void> {  // named: it outlives the task
    failing = taskio::create_task(fail_after(1s, "boom"));
    from_gather = co_await catch_exception(taskio::gather(failing, forever()));
    taskio::current_task().uncancel();  // the canceller's request, withdrawn
    from_next = co_await catch_exception(taskio::sleep(1s));
  };
  auto parent = taskio::create_task(body());
  co_await taskio::sleep(0s);
  co_await taskio::sleep(0s);
  taskio::call_later(1s, [&] { parent.cancel(); });
  co_await parent.async_wait();
  BOOST_TEST(error_text(from_gather) == "boom");
  BOOST_TEST(!from_next);
  BOOST_TEST(vt() == 2s);
}

TASKIO_TEST_CASE(a_child_failing_during_cancellation_wins_and_the_request_is_kept) {
  auto stubborn = []() -> asio::awaitable<void> {
    try {
      co_await forever();
    } catch (const cancelled_error&) {
      throw std::runtime_error("cleanup failed");
    }
  };
  std::exception_ptr from_gather, from_next;
  auto body = [&]() -> asio::awaitable<void> {  // named: it outlives the task
    from_gather = co_await catch_exception(taskio::gather(stubborn()));
    from_next = co_await catch_exception(taskio::sleep(1s));
  };
  auto parent = taskio::create_task(body());
  co_await taskio::sleep(1s);
  parent.cancel("stop");
  co_await catch_exception(parent.async_wait());
  BOOST_TEST(error_text(from_gather) == "cleanup failed");
  BOOST_REQUIRE(from_next);
  BOOST_TEST(cancel_message(from_next) == "stop");
}

TASKIO_TEST_CASE(children_exceptions_are_retrieved_once_gather_is_done) {
  clear_logs();
  co_await catch_exception(taskio::gather(fail_after(1s, "first"), fail_after(2s, "second")));
  co_await taskio::sleep(5s);  // the second child fails and is destroyed meanwhile
  BOOST_TEST(!logged("never retrieved"));
}

TASKIO_TEST_CASE(children_of_another_loop_are_rejected) {
  asio::io_context other;
  taskio::future<int> foreign(other.get_executor());
  BOOST_CHECK_THROW(taskio::gather(foreign), std::invalid_argument);
  co_return;
}

BOOST_AUTO_TEST_CASE(gather_needs_a_running_loop) {
  BOOST_CHECK_THROW(taskio::gather(value_after(1s, 1)), std::runtime_error);
}

BOOST_AUTO_TEST_SUITE_END()
