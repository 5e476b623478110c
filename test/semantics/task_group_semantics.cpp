// asyncio-parity: TaskGroup's outcome table (doc/semantics.md 5.6, TaskGroup outcome table; the 3.13+
// behaviour), the parent's cancellation count before and after each row,
// nested groups and cancellations colliding with failures, and raw Asio
// operations aborted by a group.
#include "../task_group_support.hpp"

#include <boost/asio/local/connect_pair.hpp>
#include <boost/asio/local/stream_protocol.hpp>

using namespace taskio_test;
using namespace taskio_test::groups;
using taskio::cancelled_error;

namespace {

using group_body = std::function<asio::awaitable<void>(taskio::task_group&)>;

/// async_with(task_group{}, body) with a body that may capture.
asio::awaitable<void> with_group(group_body body) {
  co_await taskio::async_with(taskio::task_group{}, [&](taskio::task_group& tg) { return body(tg); });
}

/// Runs `body` in a group and records in `tr` the group it raises (when,
/// and the count then), then whether the next suspension point raises
/// cancelled_error (a re-armed request).
asio::awaitable<void> group_then_sleep(trace& tr, group_body body) {
  try {
    co_await with_group(std::move(body));
  } catch (const taskio::exception_group& g) {
    tr("group [" + members(std::make_exception_ptr(g)) + "] at " + at() + " count=" + std::to_string(cancelling()));
  }
  try {
    co_await taskio::sleep(1s);
    tr("not cancelled");
  } catch (const cancelled_error& c) {
    tr("re-armed at " + at() + " msg='" + c.message() + "'");
    throw;
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(task_group_semantics)

// --- row: body and all children succeed ---

TASKIO_TEST_CASE(success_leaves_the_count_unchanged) {
  BOOST_TEST(cancelling() == 0);
  co_await with_group([](taskio::task_group& tg) -> asio::awaitable<void> {
    tg.create_task(taskio::sleep(1s));
    co_await taskio::sleep(2s);
  });
  BOOST_TEST(vt() == 2s);
  BOOST_TEST(cancelling() == 0);
}

// --- row: a child fails ---

TASKIO_TEST_CASE(a_child_failure_cancels_siblings_and_interrupts_the_body) {
  BOOST_TEST(cancelling() == 0);  // before
  trace tr;
  taskio::task<void> sibling;
  auto e = co_await catch_exception(with_group([&](taskio::task_group& tg) -> asio::awaitable<void> {
    sibling = tg.create_task(forever());
    tg.create_task(fail_after(1s, "E"));
    try {
      co_await taskio::sleep(10s);
    } catch (const cancelled_error& c) {
      tr("body interrupted at " + at() + " msg='" + c.message() + "' count=" + std::to_string(cancelling()));
      throw;
    }
  }));
  BOOST_TEST(tr.str() == "body interrupted at 1000ms msg='' count=1");
  BOOST_TEST(members(e) == "E");
  BOOST_TEST(vt() == 1s);
  BOOST_TEST(sibling.cancelled());
  BOOST_TEST(cancelling() == 0);  // restored
  co_await taskio::sleep(1s);     // and nothing pending
  BOOST_TEST(vt() == 2s);
}

TASKIO_TEST_CASE(child_errors_are_in_completion_order) {
  BOOST_TEST(cancelling() == 0);  // before
  taskio::task<int> first_created;
  auto e = co_await catch_exception(with_group([&](taskio::task_group& tg) -> asio::awaitable<void> {
    first_created = tg.create_task(fail_after(2s, "never: cancelled first"));
    tg.create_task(fail_when_cancelled("third: while being cancelled"));
    tg.create_task(fail_after(1s, "first"));
    tg.create_task(fail_after(1s, "second"));
    co_await taskio::sleep(10s);
  }));
  BOOST_TEST(members(e) == "first, second, third: while being cancelled");
  BOOST_TEST(first_created.cancelled());
  BOOST_TEST(vt() == 1s);
  BOOST_TEST(cancelling() == 0);
}

TASKIO_TEST_CASE(a_child_failure_after_the_body_reached_the_exit_restores_the_count) {
  BOOST_TEST(cancelling() == 0);  // before
  // [3.12] leaked +1 here (gh-133747); 3.13+ uncancels after the wait.
  auto e = co_await catch_exception(with_group([](taskio::task_group& tg) -> asio::awaitable<void> {
    tg.create_task(fail_after(1s, "E"));
    tg.create_task(forever());
    co_return;
  }));
  BOOST_TEST(members(e) == "E");
  BOOST_TEST(cancelling() == 0);
  co_await taskio::sleep(1s);  // the group's request was consumed by the exit
  BOOST_TEST(vt() == 2s);
}

// --- row: the body raises ---

TASKIO_TEST_CASE(a_body_error_cancels_the_children_and_comes_last) {
  BOOST_TEST(cancelling() == 0);  // before
  bool never_started_ran = false;
  taskio::task<void> running, never_started;
  auto e = co_await catch_exception(with_group([&](taskio::task_group& tg) -> asio::awaitable<void> {
    running = tg.create_task(fail_when_cancelled("child cleanup"));
    co_await taskio::sleep(1s);
    never_started = tg.create_task([](bool& ran) -> asio::awaitable<void> {
      ran = true;
      co_return;
    }(never_started_ran));
    throw std::runtime_error("body");
  }));
  BOOST_TEST(members(e) == "child cleanup, body");
  BOOST_TEST(never_started.cancelled());
  BOOST_TEST(!never_started_ran);
  BOOST_TEST(running.done());
  BOOST_TEST(vt() == 1s);
  BOOST_TEST(cancelling() == 0);
}

TASKIO_TEST_CASE(a_body_that_turns_the_group_s_cancellation_into_an_error) {
  BOOST_TEST(cancelling() == 0);  // before
  auto e = co_await catch_exception(with_group([](taskio::task_group& tg) -> asio::awaitable<void> {
    tg.create_task(fail_after(1s, "E"));
    try {
      co_await taskio::sleep(10s);
    } catch (const cancelled_error&) {
      throw std::runtime_error("X");  // gh-95289: the count must still be restored
    }
  }));
  BOOST_TEST(members(e) == "E, X");
  BOOST_TEST(cancelling() == 0);
}

TASKIO_TEST_CASE(a_body_raising_cancelled_error_itself) {
  BOOST_TEST(cancelling() == 0);  // before
  taskio::task<void> child;
  auto e = co_await catch_exception(with_group([&](taskio::task_group& tg) -> asio::awaitable<void> {
    child = tg.create_task(forever());
    co_await taskio::sleep(1s);
    throw cancelled_error("by the body");
  }));
  BOOST_TEST(cancel_message(e) == "by the body");
  BOOST_TEST(child.cancelled());
  BOOST_TEST(cancelling() == 0);
}

// --- row: external cancellation ---

TASKIO_TEST_CASE(an_external_cancel_while_the_body_waits_propagates_as_itself) {
  int children_cancelled = 0;
  auto t = taskio::create_task(with_group([&](taskio::task_group& tg) -> asio::awaitable<void> {
    for (int i = 0; i < 5; ++i)
      tg.create_task([](int& n) -> asio::awaitable<void> {
        try {
          co_await taskio::sleep(5s);
        } catch (const cancelled_error&) {
          ++n;
          throw;
        }
      }(children_cancelled));
    co_await taskio::sleep(10s);
  }));
  co_await taskio::sleep(1s);
  BOOST_TEST(t.cancelling() == 0);  // before
  BOOST_TEST(t.cancel("test"));
  auto e = co_await catch_exception(t.async_wait());
  BOOST_TEST(t.cancelled());
  BOOST_TEST(cancel_message(e) == "test");
  BOOST_TEST(children_cancelled == 5);
  BOOST_TEST(t.cancelling() == 1);  // the outside request stays counted
  BOOST_TEST(vt() == 1s);
}

TASKIO_TEST_CASE(an_external_cancel_while_the_exit_waits_propagates_as_itself) {
  taskio::task<void> child;
  auto t = taskio::create_task(with_group([&](taskio::task_group& tg) -> asio::awaitable<void> {
    child = tg.create_task(forever());
    co_return;
  }));
  co_await taskio::sleep(1s);
  BOOST_TEST(t.cancelling() == 0);  // before
  BOOST_TEST(t.cancel("m"));
  auto e = co_await catch_exception(t.async_wait());
  BOOST_TEST(cancel_message(e) == "m");
  BOOST_TEST(child.cancelled());
  BOOST_TEST(t.cancelling() == 1);
}

TASKIO_TEST_CASE(an_external_cancel_and_a_child_error_raise_the_group_and_re_arm_the_request) {
  // [3.13+] test_error_and_cancel: errors win over cancellation (gh-95704),
  // and the outside request is re-armed for the next suspension point
  // ([3.12]: lost). taskio keeps its message.
  trace tr;
  auto t = taskio::create_task(group_then_sleep(tr, [](taskio::task_group& tg) -> asio::awaitable<void> {
    tg.create_task(fail_when_cancelled("E"));
    co_await taskio::sleep(10s);
  }));
  co_await taskio::sleep(1s);
  BOOST_TEST(t.cancelling() == 0);  // before
  t.cancel("outside");
  co_await catch_exception(t.async_wait());
  BOOST_TEST(tr.str() == "group [E] at 1000ms count=1 re-armed at 1000ms msg='outside'");
  BOOST_TEST(t.cancelled());
  BOOST_TEST(t.cancelling() == 1);
}

TASKIO_TEST_CASE(an_external_cancel_while_the_group_already_aborts) {
  // The child error came first; the outside request arrives while the exit
  // waits for a child slow to cancel: [3.13+] +1 and re-armed.
  trace tr;
  auto t = taskio::create_task(group_then_sleep(tr, [](taskio::task_group& tg) -> asio::awaitable<void> {
    tg.create_task(fail_after(1s, "E"));
    tg.create_task(slow_to_cancel(5s));
    co_return;
  }));
  co_await taskio::sleep(3s);
  BOOST_TEST(t.cancelling() == 1);  // the group's own request, still outstanding
  t.cancel("late");
  co_await catch_exception(t.async_wait());
  BOOST_TEST(tr.str() == "group [E] at 6000ms count=1 re-armed at 6000ms msg='late'");
  BOOST_TEST(t.cancelled());
  BOOST_TEST(t.cancelling() == 1);
}

TASKIO_TEST_CASE(an_external_cancel_while_the_body_is_interrupted_by_the_group) {
  // The body is cleaning up after the group's own cancellation when the
  // outside request lands: the cleanup is interrupted, the group raises,
  // the request is re-armed.
  trace tr;
  auto t = taskio::create_task(group_then_sleep(tr, [&tr](taskio::task_group& tg) -> asio::awaitable<void> {
    tg.create_task(fail_after(1s, "E"));
    bool interrupted = false;
    try {
      co_await taskio::sleep(10s);
    } catch (const cancelled_error&) {
      interrupted = true;
    }
    if (!interrupted) co_return;
    try {
      co_await taskio::sleep(5s);  // cleanup
    } catch (const cancelled_error& c) {
      tr("cleanup cancelled at " + at() + " msg='" + c.message() + "'");
      throw;
    }
  }));
  co_await taskio::sleep(2s);
  BOOST_TEST(t.cancelling() == 1);  // the group's own request, still outstanding
  t.cancel("outside");
  auto e = co_await catch_exception(t.async_wait());
  BOOST_TEST(tr.str() ==
             "cleanup cancelled at 2000ms msg='outside' group [E] at 2000ms count=1 re-armed at 2000ms msg='outside'");
  BOOST_TEST(cancel_message(e) == "outside");
  BOOST_TEST(t.cancelling() == 1);
}

// --- row: fatal exceptions ---

TASKIO_TEST_CASE(a_fatal_child_error_is_raised_alone_after_all_children) {
  BOOST_TEST(cancelling() == 0);  // before
  clear_logs();
  taskio::task<void> slow;
  auto e = co_await catch_exception(with_group([&](taskio::task_group& tg) -> asio::awaitable<void> {
    slow = tg.create_task(slow_to_cancel(3s));
    tg.create_task(fail_after(1s, "ordinary error"));
    tg.create_task([]() -> asio::awaitable<void> {
      co_await taskio::sleep(1s);
      throw taskio::keyboard_interrupt();
    }());
    co_await taskio::sleep(10s);
  }));
  BOOST_CHECK_THROW(std::rethrow_exception(e), taskio::keyboard_interrupt);
  BOOST_TEST(vt() == 4s);  // after the slow child
  BOOST_TEST(slow.done());
  BOOST_TEST(cancelling() == 0);  // taskio takes its own request back (CPython 3.13 leaves it)
  bool reported = false;
  for (const auto& r : captured_logs())
    if (r.message.find("dropped because keyboard interrupt propagates: ordinary error") != std::string::npos)
      reported = r.severity == boost::log::trivial::error;
  BOOST_TEST(reported);
}

TASKIO_TEST_CASE(a_fatal_body_error_is_raised_alone) {
  BOOST_TEST(cancelling() == 0);  // before
  clear_logs();
  auto e = co_await catch_exception(with_group([](taskio::task_group& tg) -> asio::awaitable<void> {
    tg.create_task(fail_after(1s, "child error"));
    bool interrupted = false;
    try {
      co_await taskio::sleep(10s);
    } catch (const cancelled_error&) {
      interrupted = true;
    }
    if (interrupted) throw taskio::system_exit(3);
  }));
  try {
    std::rethrow_exception(e);
  } catch (const taskio::system_exit& x) {
    BOOST_TEST(x.code() == 3);
  } catch (...) {
    BOOST_FAIL("system_exit expected");
  }
  BOOST_TEST(logged("dropped because system exit propagates: child error"));
  BOOST_TEST(cancelling() == 0);
}

// --- row: members that are not std::exception (Python's BaseExceptionGroup) ---

TASKIO_TEST_CASE(a_child_raising_a_non_std_exception_is_collected) {
  auto e = co_await catch_exception(with_group([](taskio::task_group& tg) -> asio::awaitable<void> {
    tg.create_task(fail_after(1s, "E"));
    tg.create_task([]() -> asio::awaitable<void> {
      co_await taskio::sleep(1s);
      throw 42;
    }());
    co_return;
  }));
  int value = 0;
  try {
    std::rethrow_exception(e);
  } catch (const taskio::exception_group& g) {
    BOOST_REQUIRE(g.size() == 2u);
    try {
      std::rethrow_exception(g.exceptions()[1]);
    } catch (int v) {
      value = v;
    }
  }
  BOOST_TEST(value == 42);
}

// --- row: nested groups failing in the same iteration ---

TASKIO_TEST_CASE(nested_groups_both_cancelled) {
  BOOST_TEST(cancelling() == 0);  // before
  // test_nested_groups_both_cancelled (3.13+): the inner group raises its
  // group, the outer one still raises its own, the count returns to 0.
  trace tr;
  auto e = co_await catch_exception(with_group([&](taskio::task_group& outer) -> asio::awaitable<void> {
    try {
      co_await with_group([&](taskio::task_group& inner) -> asio::awaitable<void> {
        inner.create_task(fail_after(0s, "inner E"));
        outer.create_task(fail_after(0s, "outer E"));
        co_return;
      });
    } catch (const taskio::exception_group& g) {
      tr("inner group [" + members(std::make_exception_ptr(g)) + "] count=" + std::to_string(cancelling()));
    }
  }));
  BOOST_TEST(tr.str() == "inner group [inner E] count=1");
  BOOST_TEST(members(e) == "outer E");
  BOOST_TEST(cancelling() == 0);
  co_await taskio::sleep(1s);
  BOOST_TEST(vt() == 1s);
}

TASKIO_TEST_CASE(nested_groups_the_outer_body_is_interrupted_at_its_next_await) {
  BOOST_TEST(cancelling() == 0);  // before
  trace tr;
  auto e = co_await catch_exception(with_group([&](taskio::task_group& outer) -> asio::awaitable<void> {
    try {
      co_await with_group([&](taskio::task_group& inner) -> asio::awaitable<void> {
        inner.create_task(fail_after(1s, "inner E"));
        outer.create_task(fail_after(1s, "outer E"));
        co_await taskio::sleep(10s);
      });
    } catch (const taskio::exception_group&) {
      tr("inner raised");
    }
    try {
      co_await taskio::sleep(10s);
      tr("not interrupted");
    } catch (const cancelled_error&) {
      tr("outer body interrupted at " + at());
      throw;
    }
  }));
  BOOST_TEST(tr.str() == "inner raised outer body interrupted at 1000ms");
  BOOST_TEST(members(e) == "outer E");
  BOOST_TEST(cancelling() == 0);
}

TASKIO_TEST_CASE(nested_groups_the_inner_group_becomes_a_member_of_the_outer) {
  BOOST_TEST(cancelling() == 0);  // before
  // test_taskgroup_14: the outer child fails later; the inner group is the
  // outer body's error, so it comes last.
  auto e = co_await catch_exception(with_group([](taskio::task_group& outer) -> asio::awaitable<void> {
    outer.create_task(fail_after(1s, "outer E"));
    co_await with_group([](taskio::task_group& inner) -> asio::awaitable<void> {
      inner.create_task(fail_after(1s, "inner E"));
      co_return;
    });
  }));
  BOOST_TEST(members(e) == "outer E, [unhandled errors in a TaskGroup: inner E]");
  BOOST_TEST(cancelling() == 0);
}

TASKIO_TEST_CASE(an_external_cancel_passes_through_nested_groups) {
  // test_taskgroup_11/12: both groups see the outside request (count 1)
  // and neither swallows it.
  auto t = taskio::create_task(with_group([](taskio::task_group& outer) -> asio::awaitable<void> {
    outer.create_task(forever());
    co_await with_group([](taskio::task_group& inner) -> asio::awaitable<void> {
      for (int i = 0; i < 3; ++i) inner.create_task(fail_after(1s, "late"));
      co_await taskio::sleep(10s);
    });
  }));
  co_await taskio::sleep(500ms);
  BOOST_TEST(t.cancelling() == 0);  // before
  t.cancel("outside");
  auto e = co_await catch_exception(t.async_wait());
  BOOST_TEST(cancel_message(e) == "outside");
  BOOST_TEST(t.cancelling() == 1);
  BOOST_TEST(vt() == 500ms);
}

// --- raw Asio operations ---

TASKIO_TEST_CASE(a_child_failure_aborts_raw_asio_operations) {
  BOOST_TEST(cancelling() == 0);  // before
  // The body waits on a steady_timer, a child on a socket read: the
  // group's cancellations abort both; the body's operation_aborted counts
  // as the group's cancellation, the reader ends cancelled (no error).
  auto ex = co_await asio::this_coro::executor;
  asio::local::stream_protocol::socket a(ex), b(ex);
  asio::local::connect_pair(a, b);
  bool timer_aborted = false, read_aborted = false, recognised = false;
  taskio::task<void> reader;
  auto e = co_await catch_exception(with_group([&](taskio::task_group& tg) -> asio::awaitable<void> {
    reader = tg.create_task([](asio::local::stream_protocol::socket& s, bool& aborted) -> asio::awaitable<void> {
      char buf[16];
      try {
        co_await s.async_read_some(asio::buffer(buf), asio::use_awaitable);
      } catch (const boost::system::system_error& se) {
        aborted = se.code() == asio::error::operation_aborted;
        throw;
      }
    }(a, read_aborted));
    tg.create_task(fail_after(1s, "E"));
    asio::steady_timer timer(co_await asio::this_coro::executor, 10h);
    try {
      co_await timer.async_wait(asio::use_awaitable);
    } catch (const boost::system::system_error& se) {
      timer_aborted = se.code() == asio::error::operation_aborted;
      recognised = taskio::is_cancellation(std::current_exception());
      throw;
    }
  }));
  BOOST_TEST(members(e) == "E");
  BOOST_TEST(timer_aborted);
  BOOST_TEST(recognised);
  BOOST_TEST(read_aborted);
  BOOST_TEST(reader.cancelled());
  BOOST_TEST(vt() == 1s);
  BOOST_TEST(cancelling() == 0);
  // the socket still works
  co_await asio::async_write(b, asio::buffer("hi", 2), asio::use_awaitable);
  char buf[2];
  BOOST_TEST(co_await asio::async_read(a, asio::buffer(buf), asio::use_awaitable) == 2u);
}

TASKIO_TEST_CASE(a_body_aborted_by_an_external_cancel_ends_cancelled) {
  // The body's operation_aborted propagates like a cancelled_error: the
  // task ends cancelled with the outside message.
  auto ex = co_await asio::this_coro::executor;
  asio::local::stream_protocol::socket a(ex), b(ex);
  asio::local::connect_pair(a, b);
  taskio::task<void> child;
  auto t = taskio::create_task(with_group([&](taskio::task_group& tg) -> asio::awaitable<void> {
    child = tg.create_task(forever());
    char buf[16];
    co_await a.async_read_some(asio::buffer(buf), asio::use_awaitable);
  }));
  co_await taskio::sleep(1s);
  BOOST_TEST(t.cancelling() == 0);  // before
  t.cancel("outside");
  auto e = co_await catch_exception(t.async_wait());
  BOOST_TEST(t.cancelled());
  BOOST_TEST(cancel_message(e) == "outside");
  BOOST_TEST(child.cancelled());
  BOOST_TEST(t.cancelling() == 1);
}

BOOST_AUTO_TEST_SUITE_END()
