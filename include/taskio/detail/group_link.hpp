//
// taskio/detail/group_link.hpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// A task group's registration on one of its children (lib/task_group.cpp),
// kept inside the child's own state block (grouped_task_state<T>) so that
// creating a child of a group allocates nothing more than creating a task.
// One object plays three parts: the completion node on the child, the link
// in the group's list of live children, and, once the child completed, the
// group's child-completion notice queued on the io_context (an Asio
// scheduler operation, as a posted handler would be, without allocating).

#ifndef TASKIO_DETAIL_GROUP_LINK_HPP
#define TASKIO_DETAIL_GROUP_LINK_HPP

#include <taskio/config.hpp>
#include <taskio/detail/asio_compat.hpp>
#include <taskio/detail/future_state.hpp>
#include <taskio/detail/intrusive_list.hpp>
#include <taskio/detail/task_state.hpp>

#include <cstddef>

namespace taskio::detail {

class task_group_state;

/// The hook of a group link in its group's list of live children.
struct group_link_tag;

/// See the file comment. Set up by task_group_state::adopt; from then on,
/// until the completion notice ran (or was destroyed unrun), it holds a
/// reference to the group and one to the child, whose state contains it:
/// the last thing done with a link is releasing the child.
struct group_link final : completion_node, list_hook<group_link_tag>, asio_compat::scheduler_operation {
  task_group_state* group = nullptr;
  task_state_base* child = nullptr;

  explicit group_link(func_type run) noexcept : scheduler_operation(run) {}
  group_link(const group_link&) = delete;
  group_link& operator=(const group_link&) = delete;
};

/// The link's queued function (lib/task_group.cpp): the group's
/// child-completion notice, or (owner null: io_context shutdown) only the
/// release of what the link holds.
TASKIO_DECL void run_group_link(void* owner, asio_compat::scheduler_operation* op, const boost::system::error_code&,
                                std::size_t);

/// The state of a task created by task_group::create_task: task_state<T>
/// with the group's link in the same block.
template <class T>
class grouped_task_state final : public task_state<T> {
public:
  template <class... Args>
  explicit grouped_task_state(Args&&... args)
      : task_state<T>(static_cast<Args&&>(args)...), link(&run_group_link) {}

  group_link link;
};

}  // namespace taskio::detail

#endif  // TASKIO_DETAIL_GROUP_LINK_HPP
