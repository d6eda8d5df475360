<?php
/**
 * Fills the freshly installed site the way a newsroom's editors would, through WordPress's
 * own functions: bylines, categories (one Cyrillic, one nested), tags, posts of every status,
 * a sticky post, a renamed post, pages, images with [caption] and [gallery], an unknown
 * shortcode, threaded comments in every state. Argument: a folder with photo.jpg,
 * gallery-1.jpg and gallery-2.jpg. Prints the ids it made as JSON.
 */

require __DIR__ . '/boot.php';
require_once ABSPATH . 'wp-admin/includes/image.php';
require_once ABSPATH . 'wp-admin/includes/post.php';

// The site's administrator at work (editors may write any HTML: no kses filters).
wp_set_current_user( 1 );

function made( $result ) {
	if ( is_wp_error( $result ) || ! $result ) {
		fwrite( STDERR, 'WordPress refused: ' . ( is_wp_error( $result ) ? $result->get_error_message() : 'no id' ) . "\n" );
		exit( 1 );
	}
	return is_array( $result ) ? $result['term_id'] : $result;
}

function post( $fields ) {
	return made( wp_insert_post( wp_slash( $fields + array( 'post_type' => 'post', 'post_author' => 1 ) ), true ) );
}

$ids = array();

$alesia = made( wp_insert_user( array(
	'user_login'   => 'alesia',
	'user_pass'    => 'not-a-real-password',
	'user_email'   => 'alesia@news.example.org',
	'display_name' => 'Алеся Пазнякова',
	'first_name'   => 'Алеся',
	'last_name'    => 'Пазнякова',
	'role'         => 'author',
) ) );
$ivan = made( wp_insert_user( array(
	'user_login'   => 'ivan_k',
	'user_pass'    => 'not-a-real-password',
	'user_email'   => 'ivan@news.example.org',
	'display_name' => 'Іван К.',
	'role'         => 'editor',
) ) );

$news     = made( wp_insert_term( 'Навіны', 'category', array( 'slug' => 'news' ) ) );
$politics = made( wp_insert_term( 'Палітыка', 'category', array( 'parent' => $news ) ) );
$minsk    = made( wp_insert_term( 'Менск', 'post_tag', array( 'slug' => 'minsk' ) ) );
$election = made( wp_insert_term( 'выбары', 'post_tag' ) );
$ids['terms'] = array( 'news' => $news, 'politics' => $politics, 'minsk' => $minsk, 'election' => $election );

// A post whose address changed after it was published: WordPress keeps the old slug.
$ids['renamed'] = post( array(
	'post_title'    => 'Памылка ў раскладзе',
	'post_name'     => 'rasklad-chernovik',
	'post_content'  => "Цягнікі на Берасце адменены.\n\nРасклад зменены да нядзелі.",
	'post_status'   => 'publish',
	'post_date'     => '2024-05-04 09:00:00',
	'post_author'   => $ivan,
	'post_category' => array( $news ),
) );
made( wp_update_post( array( 'ID' => $ids['renamed'], 'post_name' => 'rasklad' ), true ) );

// The main story: its slug is made from the Cyrillic title (percent-encoded by WordPress).
$ids['main'] = post( array(
	'post_title'    => 'Тысячы людзей',
	'post_content'  => '…',
	'post_status'   => 'publish',
	'post_date'     => '2024-05-03 12:30:00',
	'post_author'   => $alesia,
	'post_category' => array( $politics, $news ),
	'tags_input'    => array( 'Менск', 'выбары' ),
) );

$uploads = wp_upload_dir( '2024/05' );
$images  = array();
foreach ( array( 'photo' => 'Людзі з бел-чырвона-белымі сцягамі на плошчы', 'gallery-1' => '', 'gallery-2' => '' ) as $name => $alt ) {
	$file = $uploads['path'] . "/$name.jpg";
	copy( $argv[1] . "/$name.jpg", $file );
	$images[ $name ] = made( wp_insert_attachment( array(
		'post_title'     => $name,
		'post_excerpt'   => 'photo' === $name ? 'Плошча Перамогі' : ( 'gallery-1' === $name ? 'Першы здымак' : '' ),
		'post_mime_type' => 'image/jpeg',
		'post_status'    => 'inherit',
		'post_date'      => '2024-05-03 11:00:00',
		'guid'           => $uploads['url'] . "/$name.jpg",
	), $file, $ids['main'], true ) );
	wp_update_attachment_metadata( $images[ $name ], wp_generate_attachment_metadata( $images[ $name ], $file ) );
	if ( $alt ) {
		update_post_meta( $images[ $name ], '_wp_attachment_image_alt', $alt );
	}
}
$ids['images'] = $images;

// What the classic editor's "Add Media" writes: a resized copy in a [caption], a gallery.
$medium  = wp_get_attachment_image_src( $images['photo'], 'medium' );
$caption = sprintf(
	'[caption id="attachment_%1$d" align="aligncenter" width="%3$d"]<img class="size-medium wp-image-%1$d" src="%2$s" alt="Людзі з бел-чырвона-белымі сцягамі на плошчы" width="%3$d" height="%4$d" /> Плошча Перамогі, 3 траўня[/caption]',
	$images['photo'], $medium[0], $medium[1], $medium[2]
);
made( wp_update_post( wp_slash( array(
	'ID'           => $ids['main'],
	'post_excerpt' => 'Тысячы людзей сабраліся ў цэнтры Менска.',
	'post_content' => "Людзі пачалі збірацца а дзясятай.\n\n$caption\n\n"
		. 'Глядзіце таксама <a href="' . get_permalink( $ids['renamed'] ) . '">расклад</a> і <a href="' . home_url( '/category/news/' ) . "\">усе навіны</a>.\n\n"
		. '[gallery ids="' . $images['gallery-1'] . ',' . $images['gallery-2'] . "\"]\n\n"
		. '[contact-form-7 id="5" title="Напішыце нам"]',
) ), true ) );
set_post_thumbnail( $ids['main'], $images['photo'] );
stick_post( $ids['main'] );

// Comments: a thread three deep, one waiting, spam, one in the trash, a reply to it, a pingback.
function comment( $post, $fields ) {
	return made( wp_insert_comment( wp_slash( $fields + array(
		'comment_post_ID'  => $post,
		'comment_approved' => 1,
		'comment_type'     => 'comment',
		'comment_agent'    => 'Mozilla/5.0',
	) ) ) );
}
$c = array();
$c['first']  = comment( $ids['main'], array( 'comment_author' => 'Янка', 'comment_author_email' => 'yanka@mail.example', 'comment_author_IP' => '203.0.113.7', 'comment_date' => '2024-05-03 13:05:00', 'comment_content' => "Дзякуй за рэпартаж!\nТрымайцеся." ) );
$c['reply']  = comment( $ids['main'], array( 'comment_author' => 'Марта', 'comment_author_email' => 'marta@mail.example', 'comment_author_IP' => '198.51.100.23', 'comment_date' => '2024-05-03 13:20:00', 'comment_content' => 'Згодная з Янкам.', 'comment_parent' => $c['first'] ) );
$c['deeper'] = comment( $ids['main'], array( 'comment_author' => 'Янка', 'comment_author_email' => 'yanka@mail.example', 'comment_author_IP' => '203.0.113.7', 'comment_date' => '2024-05-03 13:40:00', 'comment_content' => 'Дзякуй, Марта &amp; усе.', 'comment_parent' => $c['reply'] ) );
$c['pending'] = comment( $ids['main'], array( 'comment_author' => 'Госць', 'comment_author_email' => 'guest@mail.example', 'comment_author_IP' => '192.0.2.44', 'comment_date' => '2024-05-03 14:00:00', 'comment_content' => 'Ці будзе працяг?', 'comment_approved' => 0 ) );
$c['spam']   = comment( $ids['main'], array( 'comment_author' => 'Cheap pills', 'comment_author_email' => 'spam@spam.example', 'comment_author_IP' => '192.0.2.99', 'comment_date' => '2024-05-03 14:10:00', 'comment_content' => 'Buy cheap pills http://spam.example', 'comment_approved' => 'spam' ) );
$c['trash']  = comment( $ids['main'], array( 'comment_author' => 'Злосны', 'comment_author_email' => 'troll@mail.example', 'comment_author_IP' => '192.0.2.13', 'comment_date' => '2024-05-03 14:20:00', 'comment_content' => 'Выдаленая абраза' ) );
$c['orphan'] = comment( $ids['main'], array( 'comment_author' => 'Алесь', 'comment_author_email' => 'ales@mail.example', 'comment_author_IP' => '203.0.113.8', 'comment_date' => '2024-05-03 14:30:00', 'comment_content' => 'Не карміце троляў.', 'comment_parent' => $c['trash'] ) );
$c['ping']   = comment( $ids['main'], array( 'comment_author' => 'Another blog', 'comment_author_url' => 'https://blog.example/', 'comment_date' => '2024-05-03 15:00:00', 'comment_content' => '[…] a link back […]', 'comment_type' => 'pingback' ) );
wp_trash_comment( $c['trash'] );
$ids['comments'] = $c;

// One post of each other status.
$ids['draft']   = post( array( 'post_title' => 'Чарнавік', 'post_content' => 'Яшчэ пішу.', 'post_status' => 'draft', 'post_date' => '2024-05-05 10:00:00', 'post_category' => array( $news ) ) );
$ids['pending'] = post( array( 'post_title' => 'На праверцы', 'post_content' => 'Чакае рэдактара.', 'post_status' => 'pending', 'post_author' => $alesia, 'post_category' => array( $news ) ) );
$ids['future']  = post( array( 'post_title' => 'Будучыня', 'post_name' => 'budu', 'post_content' => 'Выйдзе пазней.', 'post_status' => 'future', 'post_date' => '2099-01-01 10:00:00', 'post_category' => array( $news ) ) );
$ids['private'] = post( array( 'post_title' => 'Прыватны запіс', 'post_content' => 'Толькі для рэдакцыі.', 'post_status' => 'private', 'post_date' => '2024-05-06 10:00:00' ) );
$ids['trash']   = post( array( 'post_title' => 'Выдалены запіс', 'post_name' => 'vydaleny', 'post_content' => 'Памылкова апублікавана.', 'post_status' => 'publish', 'post_date' => '2024-05-07 10:00:00', 'post_category' => array( $news ) ) );
wp_trash_post( $ids['trash'] );

// Pages: one with a child (its address is the parent's path and its own).
$ids['page']  = post( array( 'post_type' => 'page', 'post_title' => 'Пра нас', 'post_name' => 'pra-nas', 'post_content' => "Мы незалежная рэдакцыя.\n\nПішыце нам.", 'post_status' => 'publish', 'post_date' => '2024-01-10 10:00:00' ) );
$ids['child'] = post( array( 'post_type' => 'page', 'post_title' => 'Кантакты', 'post_name' => 'kantakty', 'post_content' => 'Пошта: desk@news.example.org', 'post_status' => 'publish', 'post_parent' => $ids['page'], 'post_date' => '2024-01-10 10:05:00' ) );

echo wp_json_encode( $ids ), "\n";
