<?php
/**
 * Writes the site's export, as Tools → Export → All content makes it, to the file named by
 * the argument: WordPress's own exporter (export_wp), its output caught instead of sent.
 */

require __DIR__ . '/boot.php';
require_once ABSPATH . 'wp-admin/includes/export.php';

ob_start();
export_wp( array( 'content' => 'all' ) );
file_put_contents( $argv[1], ob_get_clean() );
