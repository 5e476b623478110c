// Header self-containment: <taskio/task_group.hpp> compiles alone (no PCH), twice.
#include <taskio/task_group.hpp>
#include <taskio/task_group.hpp>
