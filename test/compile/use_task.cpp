// Header self-containment: <taskio/use_task.hpp> compiles alone (no PCH), twice.
#include <taskio/use_task.hpp>
#include <taskio/use_task.hpp>
