# Installation and the Debian package (`cpack -G DEB` in a build directory):
#   /usr/bin/{smtp-mock,smtp-probe,smtp-harness}, their man pages (help2man, from --help),
#   /usr/share/smtp-harness/catalog, /usr/share/doc/smtp-harness (docs and examples),
#   the Python package in /usr/lib/python3/dist-packages (with its pytest11 entry point), and
#   systemd units for smtp-mock and smtp-probe watch, not enabled.
include(GNUInstallDirs)

set(smtph_programs smtp-mock smtp-probe smtp-harness)
install(TARGETS ${smtph_programs} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/faults/catalog/
        DESTINATION ${CMAKE_INSTALL_DATADIR}/smtp-harness/catalog)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/ DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/smtp-harness
        PATTERN __pycache__ EXCLUDE)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/smtp-mock.service
              ${PROJECT_SOURCE_DIR}/packaging/smtp-probe-watch.service
        DESTINATION lib/systemd/system)

# The Python package, as pip would lay it out: the module and its dist-info with the entry
# point that registers the pytest plugin.
set(smtph_python_dir lib/python3/dist-packages)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/python/smtp_harness DESTINATION ${smtph_python_dir}
        PATTERN __pycache__ EXCLUDE)
set(dist_info ${CMAKE_CURRENT_BINARY_DIR}/smtp_harness-${PROJECT_VERSION}.dist-info)
file(WRITE ${dist_info}/METADATA
     "Metadata-Version: 2.1\nName: smtp-harness\nVersion: ${PROJECT_VERSION}\n"
     "Summary: Drive smtp-mock from Python tests\n")
file(WRITE ${dist_info}/entry_points.txt "[pytest11]\nsmtp_harness = smtp_harness.pytest_plugin\n")
file(WRITE ${dist_info}/INSTALLER "dpkg\n")
install(DIRECTORY ${dist_info} DESTINATION ${smtph_python_dir})

# Man pages from each program's --help.
find_program(HELP2MAN help2man REQUIRED)
set(man_pages)
set(smtp-mock_what "SMTP server for tests, with faults, a control API and POP3")
set(smtp-probe_what "probe an SMTP server and report like a monitoring plugin")
set(smtp-harness_what "judge SMTP monitors against a catalog of failures")
foreach(program ${smtph_programs})
    set(page ${CMAKE_CURRENT_BINARY_DIR}/man/${program}.1)
    add_custom_command(
        OUTPUT ${page}
        COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_CURRENT_BINARY_DIR}/man
        COMMAND ${HELP2MAN} --no-info --no-discard-stderr
                --version-string=${PROJECT_VERSION} --name=${${program}_what}
                --output=${page} $<TARGET_FILE:${program}>
        DEPENDS ${program}
        VERBATIM
        COMMENT "Writing the man page of ${program}")
    list(APPEND man_pages ${page})
endforeach()
add_custom_target(man_pages ALL DEPENDS ${man_pages})
install(FILES ${man_pages} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME smtp-harness)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "smtp-harness maintainers <smtp-harness@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "SMTP mock server, probe and monitor harness for tests and CI")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION mail)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "python3, python3-pytest, python3-pytest-xdist")
set(CPACK_STRIP_FILES ON)
include(CPack)
