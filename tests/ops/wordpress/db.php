<?php
/**
 * Creates (`create`) or drops (`drop`) the test site's database SAMIZDAT_WP_DB on the MariaDB
 * server WordPress will use; no WordPress is loaded.
 */

$name = getenv( 'SAMIZDAT_WP_DB' );
if ( ! preg_match( '/^samizdat_wp_\w+$/', (string) $name ) ) {
	fwrite( STDERR, "SAMIZDAT_WP_DB must be samizdat_wp_<something>, not '$name'\n" );
	exit( 2 );
}
list( $host, $port ) = array_pad( explode( ':', getenv( 'SAMIZDAT_WP_DB_HOST' ) ?: 'localhost' ), 2, 3306 );
mysqli_report( MYSQLI_REPORT_ERROR | MYSQLI_REPORT_STRICT );
$db = new mysqli( $host, getenv( 'SAMIZDAT_WP_DB_USER' ) ?: 'root', getenv( 'SAMIZDAT_WP_DB_PASSWORD' ) ?: '', '', (int) $port );
if ( 'create' === $argv[1] ) {
	$db->query( "CREATE DATABASE `$name` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci" );
} elseif ( 'drop' === $argv[1] ) {
	$db->query( "DROP DATABASE IF EXISTS `$name`" );
} else {
	fwrite( STDERR, "usage: db.php create|drop\n" );
	exit( 2 );
}
