// Header self-containment: <taskio/exception_group.hpp> compiles alone (no PCH), twice.
#include <taskio/exception_group.hpp>
#include <taskio/exception_group.hpp>
