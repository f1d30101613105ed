# Installation, the Debian package (`cpack -G DEB` in a build directory) and the portable
# tarball (`cpack -G TGZ`), from one list of files:
#   bin/{smtp-mock,smtp-probe,smtp-harness}, their man pages (help2man, from --help),
#   share/smtp-harness/catalog, share/doc/smtp-harness (docs and examples), and the Python
#   package in lib/python3/dist-packages (with its pytest11 entry point), in both;
#   the package's programs link Debian 12's shared libraries (component `programs`) and it
#   adds systemd units for smtp-mock and smtp-probe watch, not enabled (component `systemd`);
#   the tarball's programs are the portable ones (component `portable`): static archives where
#   Debian ships them, the other libraries (fmt) beside them in lib/, found through an
#   $ORIGIN-relative rpath, so that they need nothing beyond the C and C++ runtime.
include(GNUInstallDirs)

set(smtph_programs smtp-mock smtp-probe smtp-harness)
install(TARGETS ${smtph_programs} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT programs)

# The portable programs (packaging/CMakeLists.txt): smtp-mock-portable and the others.
add_subdirectory(${PROJECT_SOURCE_DIR}/packaging)
# The shared libraries they still need, beside them, except the C and C++ runtime.
list(TRANSFORM smtph_programs APPEND -portable OUTPUT_VARIABLE smtph_portable_programs)
install(TARGETS ${smtph_portable_programs}
        RUNTIME_DEPENDENCIES
            PRE_EXCLUDE_REGEXES
                "^(ld-linux.*|libc|libm|libstdc\\+\\+|libgcc_s|libpthread|libdl|librt)\\.so"
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT portable
        LIBRARY DESTINATION lib COMPONENT portable)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/faults/catalog/
        DESTINATION ${CMAKE_INSTALL_DATADIR}/smtp-harness/catalog)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/ DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/smtp-harness
        PATTERN __pycache__ EXCLUDE)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/smtp-mock.service
              ${PROJECT_SOURCE_DIR}/packaging/smtp-probe-watch.service
        DESTINATION lib/systemd/system COMPONENT systemd)

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
# Which components each generator packs, and where: cmake/cpack_generators.cmake.
set(CPACK_PROJECT_CONFIG_FILE ${PROJECT_SOURCE_DIR}/cmake/cpack_generators.cmake)
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
