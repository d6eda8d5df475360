<?php
/**
 * Installs WordPress into the empty database, as the installer's last step does: tables,
 * options, the first account, WordPress's sample post, page and comment. Arguments: the
 * site's time zone and permalink structure.
 */

define( 'WP_INSTALLING', true );
require __DIR__ . '/boot.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';

$result = wp_install( 'Старая рэдакцыя', 'admin', 'admin@news.example.org', true, '', 'not-a-real-password', 'en_US' );
update_option( 'timezone_string', $argv[1] );
update_option( 'permalink_structure', $argv[2] );
echo wp_json_encode( array( 'user_id' => $result['user_id'], 'version' => get_bloginfo( 'version' ) ) ), "\n";
